"""The words of the app's scripts, in the user's language: the shell page hands them over as JSON (the scripts hold
no text of their own). ``{name}`` marks a value the script fills in."""

from __future__ import annotations

from django.db.models import Choices
from django.utils.translation import gettext as _

from diary.choices import EntryKind
from registry.choices import MustReportItem
from visits.choices import DueLight, VisitKind, VisitPurpose
from visits.questions import QUESTIONS

#: The labels of choices the scripts show, by the prefix of their keys (``purpose_elderly_alone``).
CHOICES: dict[str, type[Choices]] = {
    "visit_kind_": VisitKind,
    "purpose_": VisitPurpose,
    "entry_kind_": EntryKind,
    "must_": MustReportItem,
    "light_": DueLight,
}


def strings() -> dict[str, str]:
    words = _words()
    for prefix, choices in CHOICES.items():
        words |= {prefix + str(value): str(label) for value, label in choices.choices}
    return words


def visit_questions() -> dict[str, list[dict[str, object]]]:
    """The questions each visit purpose asks (走访问答), in the user's language, as the visit form shows them."""
    return {
        str(purpose): [
            {
                "key": question.key,
                "label": str(question.label),
                "kind": question.kind,
                "choices": [[key, str(label)] for key, label in question.choices],
            }
            for question in questions
        ]
        for purpose, questions in QUESTIONS.items()
    }


def _words() -> dict[str, str]:
    return {
        "app_name": _("网格助手"),
        # screens
        "title_work": _("工作台"),
        "title_report": _("上报"),
        "title_task": _("任务"),
        "title_checkin": _("签到"),
        "title_patrol": _("巡查"),
        "title_lookup": _("查询"),
        "title_outbox": _("发件箱"),
        "title_me": _("我的"),
        "title_signin": _("登录"),
        # common
        "loading": _("正在加载…"),
        "refresh": _("刷新"),
        "network_error": _("网络不通，请稍后再试"),
        "offline_no_copy": _("离线，且本机没有保存过这些数据"),
        "saved_to_outbox": _("已保存到发件箱，联网后自动发送"),
        "outbox_count": _("发件箱中有 {count} 项未完成"),
        # sign-in
        "sign_in": _("登录"),
        "username": _("用户名"),
        "password": _("密码"),
        "device_name": _("设备名称"),
        "device_name_help": _("用于在“我的设备”中认出这台手机"),
        "signin_fill_all": _("请填写用户名、密码和设备名称"),
        "signin_outbox_kept": _("发件箱中还有 {count} 项，登录后继续发送"),
        # workbench
        "hello": _("{name}，您好"),
        "my_tasks": _("我的任务"),
        "my_reports": _("我的上报"),
        "no_tasks": _("暂无核实、核查任务"),
        "no_reports": _("暂无上报"),
        "messages_waiting": _("待办消息 {count}"),
        "no_category": _("未分类"),
        "task_verify": _("核实"),
        "task_check": _("核查"),
        # report
        "photos": _("照片"),
        "take_photo": _("拍照或选择照片"),
        "photos_before": _("处置前照片"),
        "photos_after": _("处置后照片"),
        "category": _("类别"),
        "category_pick": _("请选择类别"),
        "categories_offline": _("离线：类别列表暂不可用"),
        "description": _("问题描述"),
        "description_required": _("请填写问题描述。"),
        "self_resolved": _("自行处置（已当场解决）"),
        "self_resolved_photos": _("自处置需同时拍摄处置前和处置后的照片。"),
        "self_resolved_category": _("自处置需选择类别。"),
        "save_report": _("保存上报"),
        "gps_locating": _("正在定位…"),
        "gps_fix": _("已定位，精度约 {accuracy} 米"),
        "gps_again": _("重新定位"),
        "gps_required": _("还没有定位，请到开阔处重新定位。"),
        "gps_unavailable": _("本机不支持定位"),
        "gps_denied": _("定位权限被拒绝，请在浏览器设置中允许定位"),
        "gps_failed": _("定位失败，请重试"),
        # task
        "case_number": _("案卷编号"),
        "status": _("状态"),
        "address": _("地址"),
        "reported_at": _("上报时间"),
        "photo_of_stage": _("照片（{stage}）"),
        "photo_not_here": _("照片请在网页端查看"),
        "result": _("结果"),
        "verify_true": _("属实"),
        "verify_false": _("不属实"),
        "check_pass": _("核查通过"),
        "check_rework": _("未解决，返工"),
        "note": _("说明"),
        "result_required": _("请选择结果。"),
        "save_result": _("保存结果"),
        "no_action_here": _("此案卷当前没有需要您办理的任务"),
        # check-in
        "shift_start": _("上班签到"),
        "shift_end": _("下班签退"),
        "planned_points": _("计划签到点"),
        "no_points": _("您的网格没有计划签到点"),
        "checkin_here": _("签到"),
        "distance_to_point": _("距离 {distance} 米（范围 {radius} 米）"),
        "distance_unknown": _("距离未知（未定位）"),
        # patrol
        "patrol_start": _("开始巡查"),
        "patrol_stop": _("结束巡查"),
        "patrol_stopped": _("巡查已结束，轨迹在发件箱中"),
        "patrol_on": _("巡查中，{since} 开始"),
        "patrol_off": _("未在巡查"),
        "patrol_last_fix": _("最近定位精度约 {accuracy} 米，待发送 {count} 个点"),
        "wake_lock_on": _("屏幕保持常亮，以便记录轨迹"),
        "wake_lock_off": _("无法保持屏幕常亮：请不要锁屏"),
        "patrol_screen_off": _(
            "网页只能在屏幕亮着、本页打开时记录位置；锁屏或切换到其他应用后记录即停止。"
            "需要后台记录轨迹，请安装 Traccar Client 并按“我的设备”中的说明配对。"
        ),
        "patrol_background_link": _("后台轨迹：我的设备与配对说明"),
        # lookup
        "lookup_filter": _("按地址筛选楼栋"),
        "lookup_counts": _("{buildings} 栋楼，{people} 位居民"),
        "floors": _("{floors} 层"),
        "rental": _("出租"),
        "no_buildings": _("没有楼栋"),
        "no_houses": _("没有房屋"),
        "no_people": _("无登记居民"),
        "keep_offline": _("保存本网格数据供离线查看"),
        "kept_offline": _("已保存 {count} 栋楼的数据"),
        # outbox
        "state_waiting": _("待发送"),
        "state_sending": _("发送中"),
        "state_sent": _("已发送"),
        "state_refused": _("被拒绝"),
        "kind_report": _("上报"),
        "kind_task": _("任务结果"),
        "kind_checkin": _("签到"),
        "kind_patrol_start": _("开始巡查"),
        "kind_patrol_end": _("结束巡查"),
        "kind_track": _("轨迹"),
        "checkin_shift_start": _("上班签到"),
        "checkin_shift_end": _("下班签退"),
        "checkin_point": _("签到点签到"),
        "track_points": _("{count} 个定位点"),
        "photo_count": _("{count} 张照片"),
        "waiting_network": _("等待网络"),
        "retry": _("重新发送"),
        "delete": _("删除"),
        "delete_confirm": _("删除后这项内容不会再发送，确定删除？"),
        "send_now": _("立即发送"),
        "outbox_empty": _("发件箱是空的"),
        "outbox_help": _("每项改动先存在本机，联网后按顺序发送；已发送的保留 7 天。"),
        # me
        "name": _("姓名"),
        "grids": _("负责网格"),
        "signed_in_at": _("登录时间"),
        "app_version": _("版本"),
        "language": _("语言"),
        "my_devices": _("我的设备"),
        "sign_out": _("退出登录"),
        "signout_refused": _("发件箱中还有 {count} 项未发送或被拒绝，请先处理后再退出登录。"),
        "signout_offline": _("需要联网才能退出登录（以便注销本设备的令牌）。"),
        # visits, diary, 八必报
        "list_sep": _("、"),
        "title_visits": _("走访"),
        "title_visit": _("走访记录"),
        "title_diary": _("民情日志"),
        "title_must": _("八必报"),
        "agenda_today": _("今日应走访"),
        "agenda_empty": _("今天没有应走访的对象"),
        "agenda_route": _("共 {count} 户，步行路线约 {distance} 米"),
        "agenda_overdue": _("逾期 {days} 天"),
        "agenda_due_today": _("今天到期"),
        "agenda_days_left": _("还剩 {days} 天"),
        "agenda_leg": _("距上一处约 {distance} 米"),
        "agenda_away": _("距您约 {distance} 米"),
        "visit_new": _("记录走访"),
        "visit_new_help": _("不在今日名单上的走访：从“查询”中选择居民，或直接记录网格内的走访。"),
        "recent_visits": _("最近 7 天的走访"),
        "no_recent_visits": _("最近 7 天没有走访记录"),
        "visit_subject": _("走访对象"),
        "visit_grid": _("网格"),
        "visit_grid_pick": _("请选择网格"),
        "visit_kind": _("走访方式"),
        "visit_purposes": _("走访事由"),
        "group_six_visit": _("六必访"),
        "group_six_attend": _("六必到"),
        "group_other": _("其他事由"),
        "visit_questions": _("走访问答"),
        "findings": _("走访情况"),
        "findings_help": _("见到了谁、了解到什么、需要什么帮助"),
        "purposes_required": _("请至少选择一项走访事由。"),
        "findings_required": _("请填写走访情况。"),
        "subject_required": _("请选择网格，或从今日走访、查询中选择走访对象。"),
        "save_visit": _("保存走访"),
        "visit_person": _("走访"),
        "answer_yes": _("是"),
        "answer_no": _("否"),
        "visited_at": _("走访时间"),
        "follow_ups": _("已转案件"),
        "follow_up": _("转为案件"),
        "follow_up_help": _("把走访中发现的问题上报，进入案件办理，并与本次走访关联。"),
        "save_follow_up": _("保存并转为案件"),
        "visit_open": _("查看走访 / 转为案件"),
        "diary_new": _("写日志"),
        "diary_empty": _("还没有日志。走访和巡查会自动记入日志，也可以点“写日志”。"),
        "day": _("日期"),
        "entry_kind": _("类型"),
        "entry_title": _("标题"),
        "content": _("内容"),
        "summary": _("小结"),
        "title_required": _("请填写标题。"),
        "save_entry": _("保存日志"),
        "comments": _("领导点评"),
        "no_comments": _("暂无点评"),
        "comment_count": _("点评 {count}"),
        "comment_new": _("新"),
        "entry_auto": _("自动生成"),
        "entry_edited": _("已编辑"),
        "related_persons": _("相关人员"),
        "related_cases": _("相关案件"),
        "must_pick": _("请选择要报告的事项"),
        "must_event_hint": _("事件，进入案件办理"),
        "must_change_hint": _("信息变动，由社区确认"),
        "sex": _("性别"),
        "sex_male": _("男"),
        "sex_female": _("女"),
        "phone": _("联系电话"),
        "origin": _("来自（户籍地或原住址）"),
        "arrival_date": _("到达日期"),
        "house": _("房屋"),
        "house_pick": _("请选择房屋"),
        "rent_start": _("起租日期"),
        "rent_end": _("到期日期"),
        "tenant_name": _("承租人"),
        "hospital": _("医院"),
        "resident": _("居民"),
        "resident_pick": _("请选择居民"),
        "resident_filter": _("按姓名筛选"),
        "must_name_required": _("请填写姓名。"),
        "must_house_required": _("请选择房屋。"),
        "must_person_required": _("请选择居民。"),
        "must_date_required": _("请填写日期。"),
        "must_no_fix": _("未能定位（未授权或信号弱），将按您的网格上报"),
        "save_must": _("保存报告"),
        "must_sent_case": _("已进入案件办理：{number}"),
        "must_sent_change": _("已提交信息变动，待确认"),
        "lookup_offline_needed": _("请先在“查询”中保存本网格数据，离线时才能选择"),
        "kind_visit": _("走访"),
        "kind_diary": _("民情日志"),
        "kind_must_report": _("八必报"),
        "kind_follow_up": _("转为案件"),
    }
