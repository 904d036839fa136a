import re

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_pages_speak_chinese_by_default_and_english_when_chosen(world):
    client = world.client("street_leader")
    assert "区域与网格" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/areas/110101001001001/card/").content.decode()
    assert "Comprehensive grid" in page and "Households" in page
    error = client.get("/api/v1/locate?lon=1&lat=1&datum=mars").json()
    assert error["code"] == "unknown_datum" and "Unknown datum" in error["message"]


def test_the_admin_speaks_chinese_with_its_own_title_and_english_when_chosen(admin_client):
    client = admin_client  # a superuser: every registered model is listed, third-party apps included
    page = client.get("/admin/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "网格化社会治理平台 · 系统管理" in html and "Django" not in html
    captions = [str(app["name"]) for app in page.context["app_list"]]
    models = [str(model["name"]) for app in page.context["app_list"] for model in app["models"]]
    assert "登录保护" in captions and "后台任务" in captions and "区域与网格" in captions
    untranslated = [name for name in captions + models if not CJK.search(name)]
    assert len(models) > 20 and not untranslated, untranslated
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    english = client.get("/admin/").content.decode()
    assert "Login protection" in english and "Areas and grids" in english
