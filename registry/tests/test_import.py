import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook
from pytest_django.asserts import assertRedirects

from audit.services import Origin
from registry.imports import import_kind, registry_import
from registry.models import Building, Household, ImportJob, Person
from registry.tests.factories import HouseFactory, PersonFactory, id_number_new

PERSON_HEADERS = ["姓名", "证件号码", "联系电话", "人口类型", "现住房屋地址", "与户主关系", "网格编码"]


def _xlsx(path, headers, rows, number_cells=()):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for cell in number_cells:
        sheet[cell].value = float(sheet[cell].value)  # as Excel stores a number typed into a General cell
    workbook.save(path)
    return path


def _problems(report):
    return {(problem.row, problem.column): problem.message for problem in report.problems}


def test_a_dry_run_reports_every_bad_row_and_writes_nothing(world, tmp_path):
    house = HouseFactory(building__grid=world.grid_a)
    taken = PersonFactory(grid=world.grid_a).id_number
    twice = id_number_new()
    rows = [
        ["张三", id_number_new(), "13812345678", "户籍人口", house.address, "户主", ""],  # 2: good
        ["李四", "110105194912310021", "", "户籍人口", house.address, "配偶", ""],  # 3: bad check digit
        ["王五", "110105194902300028", "", "户籍人口", house.address, "", ""],  # 4: 30 February
        ["赵六", twice, "12ab", "外星人", "", "", ""],  # 5: bad phone, bad type, no house nor grid
        ["钱七", twice, "", "流动人口", "不存在的地址", "", ""],  # 6: duplicate in file, unknown house
        ["孙八", taken, "", "户籍人口", "", "", "110101001001001"],  # 7: already registered
        ["周九", id_number_new(), "", "户籍人口", house.address, "", "110101002001001"],  # 8: house in grid A
        ["", id_number_new(), "", "户籍人口", "", "", "999999999999999"],  # 9: no name, unknown grid
    ]
    path = _xlsx(tmp_path / "people.xlsx", PERSON_HEADERS, rows)
    before = Person.objects.count()
    report = registry_import(Origin(world.users["administrator"]), "persons", path, dry_run=True)
    problems = _problems(report)
    assert report.rows == 8 and report.valid == 1 and report.created == 0
    assert "校验位" in problems[(3, "证件号码")]
    assert "出生日期" in problems[(4, "证件号码")]
    assert "7–15 位数字" in problems[(5, "联系电话")] and "不是可选值" in problems[(5, "人口类型")]
    assert "找不到" in problems[(6, "现住房屋地址")]
    assert "已登记" in problems[(7, "证件号码")]
    assert "不一致" in problems[(8, "网格编码")]
    assert "不能为空" in problems[(9, "姓名")] and "不存在" in problems[(9, "网格编码")]
    assert Person.objects.count() == before


def test_an_import_with_one_bad_row_changes_nothing_and_a_clean_one_writes_everything(world, tmp_path):
    house = HouseFactory(building__grid=world.grid_a)
    good = [
        ["张三", id_number_new(), "13812345678", "户籍人口", house.address, "户主", ""],
        ["张小三", id_number_new(), "", "户籍人口", house.address, "子女", ""],
    ]
    bad = [*good, ["李四", "110105194912310021", "", "户籍人口", house.address, "", ""]]
    origin = Origin(world.users["administrator"])
    report = registry_import(origin, "persons", _xlsx(tmp_path / "bad.xlsx", PERSON_HEADERS, bad), dry_run=False)
    assert not report.ok and report.created == 0 and Person.objects.count() == 0
    report = registry_import(origin, "persons", _xlsx(tmp_path / "good.xlsx", PERSON_HEADERS, good), dry_run=False)
    assert report.ok and report.created == 2
    household = Household.objects.get(house=house)
    assert household.head.name == "张三" and set(household.members.values_list("name", flat=True)) == {"张三", "张小三"}
    again = registry_import(origin, "persons", tmp_path / "good.xlsx", dry_run=True)
    assert {problem.message for problem in again.problems} == {"已登记，不能重复导入"}


def test_headers_excel_numbers_and_gb18030_csv(world, tmp_path):
    origin = Origin(world.users["administrator"])
    report = registry_import(origin, "persons", _xlsx(tmp_path / "h.xlsx", ["姓名", "身份证"], [["甲", "x"]]))
    assert {(p.row, p.column) for p in report.problems} == {(1, "身份证"), (1, "证件号码"), (1, "人口类型")}
    rounded = _xlsx(
        tmp_path / "n.xlsx",
        ["姓名", "证件号码", "人口类型", "网格编码"],
        [["甲", "110105194912310029", "户籍人口", "110101001001001"]],
        number_cells=["B2"],
    )
    report = registry_import(origin, "persons", rounded)
    assert "设为文本" in _problems(report)[(2, "证件号码")]
    csv_path = tmp_path / "buildings.csv"
    csv_path.write_bytes(
        "街路巷,门牌号,层数,经度,纬度\n东四北大街,1号,6,116.405,39.91\n东四北大街,2号,6,118,39.91\n".encode("gb18030")
    )
    report = registry_import(origin, "buildings", csv_path, dry_run=False)
    assert not report.ok and "不在任何网格内" in _problems(report)[(3, "经度")] and not Building.objects.exists()


def test_houses_outside_their_buildings_grid_are_reported(world, tmp_path):
    house = HouseFactory(building__grid=world.grid_a)
    rows = [[house.building.address, 1, 2, "201", "110101001001002"], [house.building.address, 1, 2, "202", ""]]
    path = _xlsx(tmp_path / "houses.xlsx", ["楼栋地址", "单元", "楼层", "户室号", "网格编码"], rows)
    report = registry_import(Origin(world.users["administrator"]), "houses", path, dry_run=False)
    assert "不一致" in _problems(report)[(2, "网格编码")] and report.created == 0


def test_a_grid_worker_cannot_import_into_another_grid(world, tmp_path):
    house_b = HouseFactory(building__grid=world.grid_b)
    path = _xlsx(
        tmp_path / "p.xlsx", PERSON_HEADERS, [["甲", id_number_new(), "", "户籍人口", house_b.address, "", ""]]
    )
    report = registry_import(Origin(world.users["grid_worker_a"]), "persons", path)
    assert "找不到" in _problems(report)[(2, "现住房屋地址")]  # not even told the house exists


@pytest.mark.parametrize("kind", ["buildings", "houses", "persons", "places", "components"])
def test_templates_carry_the_headers_the_importer_reads(world, kind):
    response = world.client("administrator").get(f"/registry/import/template/{kind}.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == import_kind(kind).headers


def test_the_import_page_checks_then_writes_on_confirmation(world, tmp_path):
    house = HouseFactory(building__grid=world.grid_a)
    path = _xlsx(
        tmp_path / "p.xlsx", PERSON_HEADERS, [["张三", id_number_new(), "", "户籍人口", house.address, "户主", ""]]
    )
    client = world.client("administrator")
    upload = SimpleUploadedFile("人员.xlsx", path.read_bytes())
    response = client.post("/registry/import/", {"kind": "persons", "file": upload})
    job = ImportJob.objects.get()
    assertRedirects(response, f"/registry/import/{job.pk}/")
    assert job.status == "checked" and job.report["valid"] == 1
    assert not Person.objects.exists()
    page = client.get(f"/registry/import/{job.pk}/")
    assert "确认导入 1 条" in page.content.decode()
    client.post(f"/registry/import/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "done" and Person.objects.get().name == "张三"
    assert world.client("community_staff").get(f"/registry/import/{job.pk}/").status_code == 404  # not theirs
    assert world.client("grid_worker_a").get("/registry/import/").status_code == 403


def test_the_commands_import_and_export(world, tmp_path, capsys):
    house = HouseFactory(building__grid=world.grid_a)
    path = _xlsx(
        tmp_path / "p.xlsx",
        PERSON_HEADERS,
        [
            ["张三", id_number_new(), "", "户籍人口", house.address, "户主", ""],
            ["李四", "1101", "", "户籍人口", house.address, "", ""],
        ],
    )
    with pytest.raises(CommandError, match="未做任何修改"):
        call_command("registry_import", "persons", str(path), "--as-user", "administrator")
    assert "第 3 行 [证件号码]" in capsys.readouterr().err and not Person.objects.exists()
    good = _xlsx(
        tmp_path / "g.xlsx", PERSON_HEADERS, [["张三", id_number_new(), "", "户籍人口", house.address, "户主", ""]]
    )
    call_command("registry_import", "persons", str(good), "--as-user", "administrator")
    assert Person.objects.count() == 1
    call_command(
        "registry_export", "persons", str(tmp_path / "out.xlsx"), "--as-user", "grid_worker_b".replace("grid_", "")
    )
    assert load_workbook(tmp_path / "out.xlsx").worksheets[0].max_row == 1  # worker B sees nobody of grid A
