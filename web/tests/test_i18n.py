def test_pages_speak_chinese_by_default_and_english_when_chosen(world):
    client = world.client("street_leader")
    assert "区域与网格" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/areas/110101001001001/card/").content.decode()
    assert "Comprehensive grid" in page and "Households" in page
    error = client.get("/api/v1/locate?lon=1&lat=1&datum=mars").json()
    assert error["code"] == "unknown_datum" and "Unknown datum" in error["message"]
