"""The demo"s 12345 knowledge base, questions answered on the spot over the last month, and an Open311 client."""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from audit.services import Origin
from gridgov.timesource import acting_at
from hotline.models import KnowledgeArticle
from hotline.services import TicketData, ticket_take
from open311.models import ApiClient
from open311.services import client_issue

ARTICLES = [
    (
        "居住证办理",
        "居住证,暂住,流动人口",
        "在本市居住半年以上，持身份证、居住地址证明（租房合同或房产证明）到居住地社区服务站申领，15 个工作日内制证。",
    ),
    (
        "新生儿落户",
        "落户,出生,户口",
        "出生一个月内，父母持出生医学证明、户口簿、结婚证、身份证到户籍地派出所办理。",
    ),
    (
        "社保卡补办",
        "社保卡,丢失,补办",
        "携带身份证到任一社保卡服务网点挂失补办，也可在“北京人社”APP 线上申请，约 20 个工作日寄达。",
    ),
    (
        "高龄津贴申领",
        "高龄,津贴,老人,补贴",
        "年满 80 周岁的本市户籍老人，持身份证、户口簿到社区服务站申请，次月起按月发放。",
    ),
    (
        "噪音扰民投诉",
        "噪音,扰民,装修,夜间",
        "夜间 22 时至次日 6 时的施工噪音属城管执法，装修噪音先由物业劝阻，生活噪音可联系社区调解；需要现场处理的转办。",
    ),
    (
        "违章停车",
        "停车,占道,挡路",
        "道路上的违停由交警处理，小区内由物业管理；堵塞消防通道的可转办消防与社区。",
    ),
    (
        "垃圾分类投放时间",
        "垃圾,分类,投放,厨余",
        "厨余垃圾每日 7:00–9:00、18:00–20:00 定时定点投放，其他时间投放到误时投放点。",
    ),
    (
        "供暖开始时间",
        "供暖,暖气,采暖",
        "本市采暖季为 11 月 15 日至次年 3 月 15 日，室温不达标可报修供热单位，必要时转办。",
    ),
    (
        "低保申请条件",
        "低保,救助,困难",
        "家庭月人均收入低于本市低保标准且财产符合规定的，可向户籍地街道（乡镇）社会救助窗口申请。",
    ),
    (
        "老旧小区加装电梯",
        "电梯,加装,老旧小区",
        "需本单元业主达成协议并经街道、规划部门审查，可申请市、区补贴，具体咨询街道城建科。",
    ),
    (
        "公园开放时间",
        "公园,开放,门票",
        "区属公园每日 6:00–21:00 开放，节假日延长，免费开放。",
    ),
    (
        "疫苗接种预约",
        "疫苗,接种,预约,社区卫生",
        "通过社区卫生服务中心电话或“健康北京”小程序预约，携带身份证和接种本。",
    ),
]
QUESTIONS = [
    ("请问居住证怎么办理，需要什么材料", 0),
    ("孩子刚出生，户口怎么上", 1),
    ("社保卡丢了怎么补办", 2),
    ("我父亲今年八十了，有高龄津贴吗", 3),
    ("垃圾几点可以扔", 6),
    ("暖气什么时候开始供", 7),
    ("想问问低保怎么申请", 8),
    ("我们楼想加装电梯，找谁", 9),
]


def hotline_populate(seed: int, days: int = 30, consultations: int = 40) -> dict[str, int]:
    rng = random.Random(seed)
    seat = User.objects.get(username="intake")
    articles = [
        KnowledgeArticle.objects.create(title=title, keywords=keywords, answer=answer, department="12345 热线")
        for title, keywords, answer in ARTICLES
    ]
    now = timezone.now()
    for _ in range(consultations):
        question, index = rng.choice(QUESTIONS)
        moment = now - dt.timedelta(days=days * rng.random())
        with acting_at(moment):
            ticket_take(
                Origin(seat, "command"),
                TicketData(
                    caller_phone=f"138{rng.randrange(10**8):08d}",
                    request_type="consult",
                    content=question,
                    article_id=articles[index].pk,
                ),
            )
    return {"articles": len(articles), "consultations": consultations}


def open311_client_demo() -> str:
    """An Open311 client for trying the interface; its key is written to ``var/open311-demo-key.txt``."""
    ApiClient.objects.filter(name="演示客户端").delete()
    _client, key = client_issue("演示客户端", contact="demo", requests_per_minute=120)
    path = settings.VAR_DIR / "open311-demo-key.txt"
    path.write_text(key + "\n")
    return key
