"""The access rule of every URL pattern of the project (``gridgov.testing.Rule``). A new pattern without a line
here fails ``test_every_url_pattern_has_an_access_rule``; the rules we keep are written at the kit's head in
``gridgov/testing.py``. Objects named ``*_a`` lie in grid A, ``*_c`` in grid C (another street).
One line per endpoint, however long: the table reads down the URL patterns."""

# ruff: noqa: E501

from __future__ import annotations

from gridgov.testing import PERSONAS, Rule, rule

EVERYONE = frozenset(PERSONAS)
STAFF = EVERYONE - {"anonymous"}
SEES_A = {"grid_worker_a", "community_staff", "street_leader", "dispatcher", "administrator"}
REGISTRY = {"grid_worker_a", "grid_worker_b", "community_staff", "street_leader", "administrator"}
READS_REPORTS = {"community_staff", "street_leader", "dispatcher", "administrator"}
REPORT_A_READERS = {"street_leader", "community_staff", "dispatcher"}
REGISTRY_A = {"grid_worker_a", "community_staff", "street_leader", "administrator"}
EDITS_REGISTRY = {"grid_worker_a", "grid_worker_b", "community_staff", "administrator"}
EDITS_A = {"grid_worker_a", "community_staff", "administrator"}
SEATS = {"intake_clerk", "shift_leader"}
LEADERS = {"street_leader"}
FIELD = {"grid_worker_a", "grid_worker_b"}
#: Who watches field work (the permission fieldwork.view_trackpoint): the command centre, leaders, community staff.
WATCHERS = {"community_staff", "street_leader", "dispatcher", "administrator"}
#: Who opens grid A's worker's track: the worker, and those watching whose scope covers grid A.
TRACKS_A = {"grid_worker_a", *WATCHERS}
#: Who sees due visits (visits.view_duevisit) and who oversees them (reassigns, plans, compliance).
SEES_DUE = {"grid_worker_a", "grid_worker_b", "community_staff", "street_leader", "administrator"}
LEADS_DUE = {"community_staff", "street_leader", "administrator"}
#: 民情日志: who reads the diary (diary.view_diaryentry), who writes, who reads grid A's entries, who comments on them.
DIARY = {"grid_worker_a", "grid_worker_b", "community_staff", "street_leader", "administrator"}
DIARY_WRITERS = {"grid_worker_a", "grid_worker_b", "community_staff"}
DIARY_A = {"grid_worker_a", "community_staff", "street_leader", "administrator"}
DIARY_COMMENTERS_A = {"community_staff", "street_leader", "administrator"}
#: Who records visits (visits.add_visit) and who sees grid A's visits (visits.view_visit and the scope).
VISITORS = {"grid_worker_a", "community_staff"}
VISITS_A = {"grid_worker_a", "community_staff", "street_leader", "administrator"}
VISIT_VIEWERS = {*VISITS_A, "grid_worker_b"}
#: A refused form post on a case page answers the case page again with the refusal on the form (400, 403, 409), or
#: 404 for a case that is not the user's.
CASE_PAGE_REFUSED = {400, 403, 404, 409}
#: A case transition refused by role or state: 403, 404 (not yours), 409 (not in a state that allows it).
TRANSITION_REFUSED = {403, 404, 409}


def public(url: str, **options) -> Rule:
    return rule(url, EVERYONE, public=True, **options)


def transition(action: str, allowed: set[str], **data) -> Rule:
    data = {"reason": "理由", **data}
    return rule(f"/api/v1/cases/{{case_a}}/{action}", allowed, method="post", data=data,
                outside=f"/api/v1/cases/{{case_c}}/{action}", refused=TRANSITION_REFUSED)  # fmt: skip


# fmt: off
RULES: dict[str, Rule] = {
    # --- the API (django-ninja): anonymous 401
    "api-v1:openapi-json": public("/api/v1/openapi.json"),
    "api-v1:openapi-view": public("/api/v1/docs"),
    "api-v1:api-root": public("/api/v1/", ok={404}),
    "api-v1:token_create": public("/api/v1/auth/token", method="post", data={"username": "worker_a", "password": "wrong", "device_name": "手机"}, ok={401}),  # signing in: accounts/tests/test_device_tokens.py
    "api-v1:me": rule("/api/v1/me", STAFF),
    "api-v1:token_list": rule("/api/v1/auth/tokens", STAFF),
    "api-v1:token_revoke_one": rule("/api/v1/auth/tokens/{token}/revoke", {"grid_worker_a"}, method="post"),  # a token is its owner's alone
    "api-v1:area_list": rule("/api/v1/areas", STAFF),
    "api-v1:area_tree": rule("/api/v1/areas/tree", STAFF),
    "api-v1:area_export": rule("/api/v1/areas/export?root={code_a}", SEES_A, outside="/api/v1/areas/export?root={code_c}"),
    "api-v1:area_import": rule("/api/v1/areas/import", {"administrator"}, method="post", data={"type": "FeatureCollection", "features": []}),
    "api-v1:area_detail": rule("/api/v1/areas/{code_a}", SEES_A, outside="/api/v1/areas/{code_c}"),
    "api-v1:area_geojson": rule("/api/v1/areas/{code_a}/geojson", SEES_A, outside="/api/v1/areas/{code_c}/geojson"),
    "api-v1:area_partition": rule("/api/v1/areas/110101001/partition", {"street_leader", "administrator"}, outside="/api/v1/areas/110101002/partition"),
    "api-v1:locate": rule("/api/v1/locate?lon=116.405&lat=39.91", SEES_A, outside="/api/v1/locate?lon=116.43&lat=39.91"),
    "api-v1:locate_batch": rule("/api/v1/locate/batch", STAFF, method="post", data={"points": [[116.405, 39.91]]}, ok={200, 400}),
    "api-v1:person_list": rule("/api/v1/persons", REGISTRY),
    "api-v1:person_create": rule("/api/v1/persons", EDITS_REGISTRY, method="post", data={"name": "李四", "grid": "{code_a}"}),
    "api-v1:person_detail": rule("/api/v1/persons/{person_a}", REGISTRY_A, outside="/api/v1/persons/{person_c}"),
    "api-v1:person_update": rule("/api/v1/persons/{person_a}", EDITS_A, method="patch", data={"name": "王六"}, outside="/api/v1/persons/{person_c}"),
    "api-v1:person_history": rule("/api/v1/persons/{person_a}/history", REGISTRY_A, outside="/api/v1/persons/{person_c}/history"),
    "api-v1:building_list": rule("/api/v1/buildings", REGISTRY),
    "api-v1:building_create": rule("/api/v1/buildings", EDITS_REGISTRY, method="post", data={"road": "东四北大街", "door_number": "9号", "lon": 116.405, "lat": 39.91}),
    "api-v1:building_detail": rule("/api/v1/buildings/{building_a}", REGISTRY_A, outside="/api/v1/buildings/{building_c}"),
    "api-v1:building_houses": rule("/api/v1/buildings/{building_a}/houses", REGISTRY_A, outside="/api/v1/buildings/{building_c}/houses"),
    "api-v1:house_detail": rule("/api/v1/houses/{house_a}", REGISTRY_A, outside="/api/v1/houses/{house_c}"),
    "api-v1:household_detail": rule("/api/v1/households/{household_a}", REGISTRY_A, outside="/api/v1/households/{household_c}"),
    "api-v1:place_list": rule("/api/v1/places", REGISTRY),
    "api-v1:place_detail": rule("/api/v1/places/{place_a}", REGISTRY_A, outside="/api/v1/places/{place_c}"),
    "api-v1:component_list": rule("/api/v1/components", REGISTRY),
    "api-v1:component_detail": rule("/api/v1/components/{component_a}", REGISTRY_A, outside="/api/v1/components/{component_c}"),
    "api-v1:registry_import_api": rule("/api/v1/registry/import?kind=persons&dry_run=false", {"community_staff", "administrator"}, method="post", form=True, data={"file": "{photo}"}),
    # registry changes from the field, 八必报, 10+X (registry/api.py): confirmers of grid A's changes; the building
    # head (not a persona of the kit) is the only one who reports 10+X
    "api-v1:registry_change_list": rule("/api/v1/registry/changes?status=pending", REGISTRY),
    "api-v1:registry_change_detail": rule("/api/v1/registry/changes/{change_a}", REGISTRY_A, outside="/api/v1/registry/changes/{change_c}"),
    "api-v1:registry_change_confirm": rule("/api/v1/registry/changes/{change_a}/confirm", {"grid_worker_a", "community_staff"}, method="post", data={}, outside="/api/v1/registry/changes/{change_c}/confirm"),
    "api-v1:registry_change_reject": rule("/api/v1/registry/changes/{change_a}/reject", {"grid_worker_a", "community_staff"}, method="post", data={"reason": "不属实"}, outside="/api/v1/registry/changes/{change_c}/reject"),
    "api-v1:must_report_create": rule("/api/v1/must-reports", {"grid_worker_a", "grid_worker_b", "community_staff"}, method="post", data={"item": "hospitalized", "person_id": "{person_a}"}),
    "api-v1:must_report_list": rule("/api/v1/must-reports?mine=false", REGISTRY),
    "api-v1:building_mine": rule("/api/v1/registry/buildings/mine", set()),
    "api-v1:building_report_create": rule("/api/v1/registry/buildings/{building_a}/reports", set(), method="post", data={"facts": {}}),
    "api-v1:floating_registration_create": rule("/api/v1/registry/persons/{person_a}/floating-registrations", EDITS_A, method="post", data={"house_id": "{house_a}", "arrival_date": "2026-01-05", "reason": "work"}, outside="/api/v1/registry/persons/{person_c}/floating-registrations"),
    "api-v1:tenancy_create": rule("/api/v1/registry/houses/{house_a}/tenancies", EDITS_A, method="post", data={"tenant_id": "{person_a}", "contract_start": "2026-01-05", "contract_end": "2026-12-31"}, outside="/api/v1/registry/houses/{house_c}/tenancies"),
    "api-v1:household_create": rule("/api/v1/registry/households", EDITS_REGISTRY, method="post", data={"house_id": "{house_a}"}),
    "api-v1:household_update": rule("/api/v1/registry/households/{household_a}", EDITS_A, method="patch", data={"household_type": "family"}, outside="/api/v1/registry/households/{household_c}"),
    "api-v1:report_create": rule("/api/v1/reports", STAFF, method="post"),
    "api-v1:upload_create": rule("/api/v1/uploads", STAFF, method="post", form=True, data={"file": "{photo}"}),
    "api-v1:case_index": rule("/api/v1/cases", STAFF),
    "api-v1:category_list": rule("/api/v1/categories", STAFF),
    "api-v1:message_count": rule("/api/v1/messages/count", STAFF),
    "api-v1:case_detail": rule("/api/v1/cases/{case_a}", SEES_A, outside="/api/v1/cases/{case_c}"),
    "api-v1:case_duplicates": rule("/api/v1/cases/{case_a}/duplicates", SEES_A, outside="/api/v1/cases/{case_c}/duplicates"),
    "api-v1:case_dispatch_suggestion": rule("/api/v1/cases/{case_a}/dispatch-suggestion", SEES_A, outside="/api/v1/cases/{case_c}/dispatch-suggestion"),
    "api-v1:case_accept": transition("accept", {"dispatcher", *SEATS}),
    "api-v1:case_reject": transition("reject", SEATS, reason="不属实"),
    "api-v1:case_verify_request": transition("verify-request", {"dispatcher", *SEATS}, worker_id="{worker_a}"),
    "api-v1:case_verify": transition("verify", {"grid_worker_a"}, note="属实", passed=True),
    "api-v1:case_file": transition("file", {"shift_leader"}),
    "api-v1:case_merge": transition("merge", {"dispatcher", *SEATS}, main="{case_c}"),
    "api-v1:case_dispatch": transition("dispatch", {"dispatcher", "shift_leader"}, department="HW"),
    "api-v1:case_accept_task": transition("accept-task", {"department_handler"}),
    "api-v1:case_report_result": transition("report-result", {"department_handler"}, note="已处理"),
    "api-v1:case_check_request": transition("check-request", {"dispatcher", *SEATS}, worker_id="{worker_a}"),
    "api-v1:case_check": transition("check", {"grid_worker_a"}, note="已核查", passed=True),
    "api-v1:case_close": transition("close", {"shift_leader"}),
    "api-v1:case_evaluate": transition("evaluate", {"dispatcher", *SEATS}, rating="satisfied"),
    "api-v1:case_requests": transition("requests", {"department_handler", "dispatcher", *SEATS}, kind="void", reason="重复"),
    "api-v1:case_resume": transition("resume", {"dispatcher", "shift_leader"}),
    "api-v1:case_escalate": transition("escalate", {"community_staff", "street_leader", "dispatcher", "shift_leader"}, reason="解决不了"),
    "api-v1:case_summon": transition("summon", LEADERS, departments=["HW"]),
    "api-v1:case_summons_confirm": transition("summons-confirm", {"department_handler"}),
    "api-v1:case_urge": transition("urge", {"dispatcher", "shift_leader", *LEADERS}),
    "api-v1:case_supervise": transition("supervise", {"shift_leader", *LEADERS}, level=1),
    "api-v1:case_expedite": transition("expedite", {"dispatcher", "shift_leader", *LEADERS}),
    "api-v1:case_request_decide": rule("/api/v1/cases/{case_a}/requests/999999/decide", {"dispatcher", "shift_leader"}, method="post", data={"approve": True}, outside="/api/v1/cases/{case_c}/requests/999999/decide", refused=TRANSITION_REFUSED),
    "api-v1:case_photos": rule("/api/v1/cases/{case_a}/photos", SEES_A | SEATS | {"department_handler"}, method="post", form=True, data={"stage": "before", "photos": "{photo}"}, outside="/api/v1/cases/{case_c}/photos", refused=TRANSITION_REFUSED),
    # field work (fieldwork/api.py): the field roles act for themselves; leaders read their area's tracks and metrics
    "api-v1:patrol_start": rule("/api/v1/patrols", FIELD, method="post", data={}),
    "api-v1:patrol_list": rule("/api/v1/patrols?mine=false", STAFF),
    "api-v1:patrol_end": rule("/api/v1/patrols/{patrol_a}/end", {"grid_worker_a"}, method="post", data={}, outside="/api/v1/patrols/{patrol_c}/end"),
    "api-v1:track_upload": rule("/api/v1/tracks", FIELD, method="post", data={"points": [{"time": "2026-01-05T09:00:00+08:00", "lon": 116.405, "lat": 39.91}]}),
    "api-v1:track_osmand": public("/api/v1/tracks/osmand?id={tracker_a}&lat=39.91&lon=116.405&timestamp=1767574800"),  # the tracker id is the credential
    "api-v1:worker_track": rule("/api/v1/workers/{worker_a}/track?date=2026-01-05", TRACKS_A, outside="/api/v1/workers/{worker_c}/track?date=2026-01-05"),
    "api-v1:checkin_create": rule("/api/v1/checkins", FIELD, method="post", data={"kind": "shift_start", "lon": 116.405, "lat": 39.91, "accuracy": 10, "device_time": "2026-01-05T09:00:00+08:00"}),
    "api-v1:checkpoint_list": rule("/api/v1/checkpoints", STAFF),
    "api-v1:daily_metric_list": rule("/api/v1/daily-metrics?date=2026-01-05", STAFF),
    # --- visit plans, due visits, the agenda and compliance (visits/planning_api.py)
    "api-v1:visit_due_list": rule("/api/v1/visits/due?worker=all", SEES_DUE),
    "api-v1:visit_due_assign": rule("/api/v1/visits/due/{due_a}/assign", LEADS_DUE, method="post", data={"worker_id": "{worker_a}"}, outside="/api/v1/visits/due/{due_c}/assign"),
    "api-v1:visit_agenda": rule("/api/v1/visits/agenda?date=2026-01-08", SEES_DUE),
    "api-v1:visit_plan_list": rule("/api/v1/visits/plans", LEADS_DUE),
    "api-v1:visit_compliance": rule("/api/v1/visits/compliance?month=2026-01", LEADS_DUE),
    # 民情日志 (diary/api.py): workers write and edit their own entries; leaders read their area's and comment (点评)
    "api-v1:entry_list": rule("/api/v1/diary/entries", DIARY),
    "api-v1:entry_create": rule("/api/v1/diary/entries", DIARY_WRITERS, method="post", data={"title": "周例会", "grid_code": "{code_a}"}, ok={201}, refused={400, 403, 404}),
    "api-v1:entry_detail": rule("/api/v1/diary/entries/{entry_a}", DIARY_A, outside="/api/v1/diary/entries/{entry_c}"),
    "api-v1:entry_update": rule("/api/v1/diary/entries/{entry_a}", {"grid_worker_a"}, method="patch", data={"summary": "已回访"}, outside="/api/v1/diary/entries/{entry_c}", outside_allowed=set()),
    "api-v1:entry_comment": rule("/api/v1/diary/entries/{entry_a}/comments", DIARY_COMMENTERS_A, method="post", data={"text": "继续跟进"}, ok={201}, outside="/api/v1/diary/entries/{entry_c}/comments", outside_allowed={"administrator"}),
    "api-v1:attachment_add": rule("/api/v1/diary/entries/{entry_a}/attachments", {"grid_worker_a"}, method="post", form=True, data={"file": "{photo}"}, ok={201}, outside="/api/v1/diary/entries/{entry_c}/attachments", outside_allowed=set()),
    # visits (visits/api.py): recorded by those who do visit work in their grids; seen by them and those overseeing
    "api-v1:visit_create": rule("/api/v1/visits", VISITORS, method="post", data={"purposes": ["policy"], "person_id": "{person_a}"}),
    "api-v1:visit_list": rule("/api/v1/visits", STAFF),
    "api-v1:visit_detail": rule("/api/v1/visits/{visit_a}", VISITS_A, outside="/api/v1/visits/{visit_c}"),
    "api-v1:visit_patch": rule("/api/v1/visits/{visit_a}", {"grid_worker_a"}, method="patch", data={"findings": "改"}, outside="/api/v1/visits/{visit_c}"),  # its worker's alone
    "api-v1:visit_follow_up": rule("/api/v1/visits/{visit_a}/follow-ups", {"grid_worker_a"}, method="post", data={"description": "楼道堆物"}, outside="/api/v1/visits/{visit_c}/follow-ups"),
    # --- sign-in and language: for everyone
    "set_language": public("/i18n/setlang/", method="post", data={"language": "en"}, ok={302}),
    "login": public("/accounts/login/"),
    "logout": public("/accounts/logout/", method="post", ok={302}),
    "devices": rule("/accounts/devices/", STAFF),
    "device-revoke": rule("/accounts/devices/{token}/revoke/", {"grid_worker_a"}, method="post", ok={302}),  # a token is its owner's alone
    # --- stored files: "not yours" is 404 for everyone, anonymous included (a public copy of a public case excepted)
    "files:case-photo": rule("/files/cases/photo/{case_photo_a}/thumbnail/", SEES_A | SEATS, outside="/files/cases/photo/{case_photo_c}/thumbnail/", anonymous=404),
    "files:follow-photo": rule("/files/follow/not-a-token/photo/{case_photo_a}/", set(), anonymous=404, refused={404}),
    "files:diary-attachment": rule("/files/diary/attachment/{attachment_a}/", DIARY_A, outside="/files/diary/attachment/{attachment_c}/", outside_allowed={"administrator"}, anonymous=404),
    "files:component-photo": rule("/files/components/photo/{photo_a}/", REGISTRY_A, outside="/files/components/photo/{photo_c}/", anonymous=404),
    "files:visit-photo": rule("/files/visits/photo/{visit_photo_a}/", VISITS_A, outside="/files/visits/photo/{visit_photo_c}/", anonymous=404),
    # --- pages: anonymous is sent to log in
    "home": rule("/", STAFF),
    "area-browser": rule("/areas/", STAFF),
    "area-detail": rule("/areas/{code_a}/", SEES_A, outside="/areas/{code_c}/"),
    "area-card": rule("/areas/{code_a}/card/", SEES_A, outside="/areas/{code_c}/card/"),
    "area-children": rule("/areas/110101001001/children/", SEES_A - {"grid_worker_a"}, outside="/areas/110101002001/children/"),
    "area-partition": rule("/areas/110101001/partition/", {"street_leader", "administrator"}, outside="/areas/110101002/partition/"),
    "person-list": rule("/registry/persons/", REGISTRY),
    "person-create": rule("/registry/persons/new/", EDITS_REGISTRY, method="post", data={"name": "李四"}),
    "person-detail": rule("/registry/persons/{person_a}/", REGISTRY_A, outside="/registry/persons/{person_c}/"),
    "person-edit": rule("/registry/persons/{person_a}/edit/", EDITS_A, method="post", data={"name": "王六"}, outside="/registry/persons/{person_c}/edit/"),
    "person-reveal": rule("/registry/persons/{person_a}/reveal/", {"community_staff"}, method="post", data={"field": "id_number"}, outside="/registry/persons/{person_c}/reveal/"),
    "person-tag-create": rule("/registry/persons/{person_a}/tags/new/", EDITS_A, method="post", data={"category": "disabled", "since": "2025-01-01"}, outside="/registry/persons/{person_c}/tags/new/"),
    "area-buildings": rule("/registry/areas/{code_a}/buildings/", REGISTRY_A, outside="/registry/areas/{code_c}/buildings/"),
    "building-create": rule("/registry/buildings/new/", EDITS_REGISTRY, method="post"),
    "building-detail": rule("/registry/buildings/{building_a}/", REGISTRY_A, outside="/registry/buildings/{building_c}/"),
    "building-edit": rule("/registry/buildings/{building_a}/edit/", EDITS_A, method="post", outside="/registry/buildings/{building_c}/edit/"),
    "house-create": rule("/registry/buildings/{building_a}/houses/new/", EDITS_A, method="post", outside="/registry/buildings/{building_c}/houses/new/"),
    "house-detail": rule("/registry/houses/{house_a}/", REGISTRY_A, outside="/registry/houses/{house_c}/"),
    "house-edit": rule("/registry/houses/{house_a}/edit/", EDITS_A, method="post", outside="/registry/houses/{house_c}/edit/"),
    "household-detail": rule("/registry/households/{household_a}/", REGISTRY_A, outside="/registry/households/{household_c}/"),
    "place-list": rule("/registry/places/", REGISTRY),
    "place-create": rule("/registry/places/new/", EDITS_REGISTRY, method="post"),
    "place-detail": rule("/registry/places/{place_a}/", REGISTRY_A, outside="/registry/places/{place_c}/"),
    "place-edit": rule("/registry/places/{place_a}/edit/", EDITS_A, method="post", outside="/registry/places/{place_c}/edit/"),
    "component-list": rule("/registry/components/", REGISTRY),
    "component-create": rule("/registry/components/new/", EDITS_REGISTRY, method="post"),
    "component-detail": rule("/registry/components/{component_a}/", REGISTRY_A, outside="/registry/components/{component_c}/"),
    "component-edit": rule("/registry/components/{component_a}/edit/", EDITS_A, method="post", outside="/registry/components/{component_c}/edit/"),
    "component-photo-add": rule("/registry/components/{component_a}/photos/", EDITS_A, method="post", outside="/registry/components/{component_c}/photos/"),
    "import": rule("/registry/import/", {"community_staff", "administrator"}),
    "import-job": rule("/registry/import/{job}/", {"community_staff"}),  # an import is its uploader's alone
    "import-job-confirm": rule("/registry/import/{job}/confirm/", {"community_staff"}, method="post"),
    "import-template": rule("/registry/import/template/persons.xlsx", {"community_staff", "administrator"}),
    "export": rule("/registry/export/persons.xlsx", {"community_staff", "street_leader", "administrator"}),
    "export-csv": rule("/registry/export/persons.csv", {"community_staff", "street_leader", "administrator"}),
    # registry changes from the field, 八必报, 10+X, floating registration, tenancy and household pages
    "change-list": rule("/registry/changes/", REGISTRY),
    "change-detail": rule("/registry/changes/{change_a}/", REGISTRY_A, outside="/registry/changes/{change_c}/"),
    "my-buildings": rule("/registry/my-buildings/", set()),
    "building-report-create": rule("/registry/buildings/{building_a}/report/", set()),
    "building-report-review": rule("/registry/building-reports/{building_report_a}/", REGISTRY_A, outside="/registry/building-reports/{building_report_c}/"),
    "must-report": rule("/registry/must-report/?item=safety_hazard", {"grid_worker_a", "grid_worker_b", "community_staff"}),
    "floating-create": rule("/registry/persons/{person_a}/floating/new/", EDITS_A, outside="/registry/persons/{person_c}/floating/new/"),
    "tenancy-create": rule("/registry/houses/{house_a}/tenancies/new/", EDITS_A, outside="/registry/houses/{house_c}/tenancies/new/"),
    "household-create": rule("/registry/houses/{house_a}/households/new/", EDITS_A, outside="/registry/houses/{house_c}/households/new/"),
    "household-edit": rule("/registry/households/{household_a}/edit/", EDITS_A, outside="/registry/households/{household_c}/edit/"),
    "cases:list": rule("/cases/", STAFF),
    "cases:report": rule("/cases/report/", STAFF, method="post"),
    "cases:approvals": rule("/cases/approvals/", STAFF),
    "cases:overview": rule("/cases/overview/", STAFF),
    "cases:export": rule("/cases/export.xlsx?queue=all", STAFF),
    "cases:bulk": rule("/cases/bulk/", {"dispatcher", *SEATS}, method="post", data={"action": "accept", "case": ["{case_a}"]}, ok={302}),
    "cases:saved-filter-save": rule("/cases/saved-filters/", STAFF, method="post", data={"name": "我的筛选", "back": "queue=intake"}, ok={302}),
    "cases:saved-filter-delete": rule("/cases/saved-filters/{saved_filter}/delete/", {"dispatcher"}, method="post", ok={302}),  # a saved filter is its owner's alone
    "cases:detail": rule("/cases/{case_a}/", SEES_A, outside="/cases/{case_c}/"),
    "cases:act": rule("/cases/{case_a}/act/file/", {"shift_leader"}, method="post", outside="/cases/{case_c}/act/file/", refused=CASE_PAGE_REFUSED),
    "notifications:list": rule("/messages/", STAFF),
    "notifications:settings": rule("/messages/settings/", STAFF),
    "notifications:detail": rule("/messages/{message}/", {"dispatcher"}, ok={302}),  # a message is its reader's alone
    # --- Open311 GeoReport v2: reads are public; submitting needs a client key (403 without)
    "open311:discovery": public("/open311/v2/discovery.json"),
    "open311:services": public("/open311/v2/services.json"),
    "open311:service": public("/open311/v2/services/{service_code}.json"),
    "open311:requests": public("/open311/v2/requests.json", method="post", data={"service_code": "{service_code}", "lat": 39.91, "long": 116.405, "description": "垃圾"}, ok={403}),
    "open311:request": public("/open311/v2/requests/{case_a}.json"),
    "open311:token": public("/open311/v2/tokens/not-a-token.json", ok={404}),
    # --- the public portal
    "portal:home": public("/portal/"),
    "portal:report": public("/portal/report/"),
    "portal:nearby": public("/portal/nearby/?category={service_id}&lon=116.405&lat=39.91"),
    "portal:code": public("/portal/code/", method="post", data={"phone": "123"}, ok={400}),
    "portal:streets": public("/portal/streets/"),
    "portal:lookup": public("/portal/lookup/?number={case_a}", ok={302}),
    "portal:problems": public("/portal/problems/"),
    "portal:problems-map": public("/portal/problems/map/"),
    "portal:follow": public("/portal/follow/not-a-token/", ok={404}),
    "portal:case": public("/portal/cases/{case_a}/"),
    "portal:support": public("/portal/cases/{case_a}/support/"),
    # --- the 12345 desk: seats only; other roles see no such page (404)
    "hotline:desk": rule("/hotline/", SEATS),
    "hotline:caller": rule("/hotline/caller/?phone=13800001111", SEATS),
    "hotline:suggest": rule("/hotline/suggest/?text=垃圾", SEATS),
    "hotline:knowledge-search": rule("/hotline/knowledge/search/?q=居住证", SEATS),
    "hotline:addresses": rule("/hotline/addresses/?q=东四", SEATS),
    "hotline:duplicates": rule("/hotline/duplicates/?lon=116.405&lat=39.91&category={service_id}", SEATS),
    "hotline:tickets": rule("/hotline/tickets/", SEATS),
    "hotline:ticket": rule("/hotline/tickets/{ticket_a}/", SEATS, outside="/hotline/tickets/{ticket_c}/", outside_allowed=SEATS),
    "hotline:caller-phone": rule("/hotline/tickets/{ticket_a}/phone/", SEATS, method="post", outside="/hotline/tickets/{ticket_c}/phone/", outside_allowed=SEATS),
    "hotline:callbacks": rule("/hotline/callbacks/", SEATS),
    "hotline:callback": rule("/hotline/callbacks/{ticket_a}/", SEATS, method="post", data={"outcome": "reached", "rating": "satisfied"}),
    "hotline:knowledge": rule("/hotline/knowledge/", SEATS),
    "hotline:article-new": rule("/hotline/knowledge/new/", SEATS, method="post", data={"title": "新条目", "answer": "答"}),
    "hotline:article": rule("/hotline/knowledge/{article}/", SEATS, method="post", data={"title": "改过", "answer": "答"}),
    # --- maps: the base map archive is public (the portal's map draws it; no archive in the test settings: 404)
    "maps:basemap": public("/maps/basemap.pmtiles", ok={200, 404}),
    "maps:cases": rule("/maps/cases/", STAFF),
    "maps:cases-data": rule("/maps/cases.json", STAFF),
    "maps:case-nearby": rule("/maps/cases/{case_a}/nearby.json", SEES_A, outside="/maps/cases/{case_c}/nearby.json"),
    "maps:report-layer": rule("/maps/report-layer.json", STAFF),
    # --- the field app 网格助手: its shell, manifest and service worker hold no personal data (the API does)
    "fieldapp:shell": public("/m/"),
    "fieldapp:manifest": public("/m/manifest.webmanifest"),
    "fieldapp:service-worker": public("/m/sw.js"),
    # --- field work watched: the command centre and leaders (a worker opens only their own day; others 404)
    "fieldwork:live": rule("/fieldwork/live/", WATCHERS),
    "fieldwork:live-data": rule("/fieldwork/live.json", WATCHERS),
    "fieldwork:playback": rule("/fieldwork/workers/{worker_a}/track/", TRACKS_A, outside="/fieldwork/workers/{worker_c}/track/"),
    "fieldwork:stats": rule("/fieldwork/stats/", WATCHERS),
    "fieldwork:stats-export": rule("/fieldwork/stats.xlsx", WATCHERS),
    # --- visit plans, due visits, the agenda and compliance (visits/planning_urls.py)
    "planning:plan-list": rule("/visits/plan/", LEADS_DUE),
    "planning:plan-new": rule("/visits/plan/new/", {"community_staff", "administrator"}, method="post", data={"name": "残疾人走访", "subject": "tag", "tag_category": "disabled", "area": "{community_a_id}", "interval": 30, "interval_unit": "natural", "first_within": 7, "active": "on"}),
    "planning:plan-edit": rule("/visits/plan/{plan_a}/edit/", {"community_staff", "administrator"}, outside="/visits/plan/{plan_c}/edit/"),
    "planning:due-list": rule("/visits/due/", SEES_DUE),
    "planning:due-calendar": rule("/visits/due/calendar/?month=2026-01", SEES_DUE),
    "planning:due-assign": rule("/visits/due/{due_a}/assign/", LEADS_DUE, method="post", data={"worker_id": "{worker_a}"}, outside="/visits/due/{due_c}/assign/"),
    "planning:agenda": rule("/visits/agenda/?date=2026-01-08", SEES_DUE),
    "planning:compliance": rule("/visits/compliance/?month=2026-01", LEADS_DUE),
    # --- 民情日志 pages (diary/views.py): one's own diary, the grid's diary and its export; leaders comment
    "diary:mine": rule("/diary/", DIARY),
    "diary:new": rule("/diary/new/", DIARY_WRITERS),
    "diary:grid": rule("/diary/grid/?q=走访", DIARY),
    "diary:export": rule("/diary/export/?month=2026-01&grid={code_a}&format=docx", DIARY_A, outside="/diary/export/?month=2026-01&grid={code_c}&format=docx", outside_allowed={"administrator"}),
    "diary:links": rule("/diary/links.json?kind=person&q=张", DIARY),
    "diary:detail": rule("/diary/{entry_a}/", DIARY_A, outside="/diary/{entry_c}/", outside_allowed={"administrator"}),
    "diary:edit": rule("/diary/{entry_a}/edit/", {"grid_worker_a"}, outside="/diary/{entry_c}/edit/", outside_allowed=set()),
    "diary:comment": rule("/diary/{entry_a}/comments/", DIARY_COMMENTERS_A, method="post", data={"text": "继续跟进"}, ok={302}, outside="/diary/{entry_c}/comments/", outside_allowed={"administrator"}),
    "diary:attach": rule("/diary/{entry_a}/attachments/", {"grid_worker_a"}, method="post", data={"file": "{photo}"}, ok={302}, outside="/diary/{entry_c}/attachments/", outside_allowed=set()),
    # --- 通报 (bulletins/views.py, bulletins/api.py): read by leaders, the command centre and the handlers of the departments a bulletin names, in their areas; published (发布/更正) by shift leaders, district leaders and administrators
    "bulletins:list": rule("/bulletins/", {"community_staff", "street_leader", "dispatcher", "department_handler", "administrator", "shift_leader"}),
    "bulletins:publish": rule("/bulletins/publish/", {"shift_leader", "administrator"}, method="post", data={"kind": "month", "period": "2026-01", "area": "110101001"}, ok={302}),
    "bulletins:detail": rule("/bulletins/{bulletin_a}/", {"street_leader", "dispatcher", "administrator", "shift_leader"}, outside="/bulletins/{bulletin_c}/"),
    "bulletins:pdf": rule("/bulletins/{bulletin_a}/pdf", {"street_leader", "dispatcher", "administrator", "shift_leader"}, outside="/bulletins/{bulletin_c}/pdf"),
    "bulletins:xlsx": rule("/bulletins/{bulletin_a}/xlsx", {"street_leader", "dispatcher", "administrator", "shift_leader"}, outside="/bulletins/{bulletin_c}/xlsx"),
    "bulletins:csv": rule("/bulletins/{bulletin_a}/csv?table=main", {"street_leader", "dispatcher", "administrator", "shift_leader"}, outside="/bulletins/{bulletin_c}/csv?table=main"),
    "api-v1:bulletin_list": rule("/api/v1/bulletins", {"community_staff", "street_leader", "dispatcher", "department_handler", "administrator", "shift_leader"}),
    "api-v1:bulletin_detail": rule("/api/v1/bulletins/{bulletin_a}", {"street_leader", "dispatcher", "administrator", "shift_leader"}, outside="/api/v1/bulletins/{bulletin_c}"),
    "api-v1:bulletin_publish": rule("/api/v1/bulletins", {"shift_leader", "administrator"}, method="post", data={"kind": "month", "period": "2026-01", "area": "110101001"}, ok={201}),
    # --- 统计分析 (stats/views.py, stats/api.py): readers of statistics (stats.view_statfact; a department handler reads its
    # department's, without areas); the cases behind grid A's figures; an area of another street answers 404
    "stats:dashboard": rule("/stats/?period=2026-01", {"community_staff", "street_leader", "dispatcher", "department_handler", "administrator"}, outside="/stats/?area={code_c}"),
    "stats:export": rule("/stats/export.xlsx?chart=trend&period=2026-01", {"community_staff", "street_leader", "dispatcher", "department_handler", "administrator"}, outside="/stats/export.xlsx?chart=trend&area={code_c}"),
    "stats:cases": rule("/stats/cases/?measure=report&area={code_a}", {"community_staff", "street_leader", "dispatcher", "administrator"}, outside="/stats/cases/?measure=report&area={code_c}"),
    "stats:cases-export": rule("/stats/cases/export.xlsx?measure=report&area={code_a}", {"community_staff", "street_leader", "dispatcher", "administrator"}, outside="/stats/cases/export.xlsx?measure=report&area={code_c}"),
    "api-v1:stats_indicators": rule("/api/v1/stats/indicators?period=2026-01", {"community_staff", "street_leader", "dispatcher", "department_handler", "administrator"}, outside="/api/v1/stats/indicators?area={code_c}"),
    "api-v1:stats_trend": rule("/api/v1/stats/trend", {"community_staff", "street_leader", "dispatcher", "department_handler", "administrator"}, outside="/api/v1/stats/trend?area={code_c}"),
    "api-v1:stats_composition": rule("/api/v1/stats/composition", {"community_staff", "street_leader", "dispatcher", "department_handler", "administrator"}, outside="/api/v1/stats/composition?area={code_c}"),
    "api-v1:stats_areas": rule("/api/v1/stats/areas", {"community_staff", "street_leader", "dispatcher", "department_handler", "administrator"}, outside="/api/v1/stats/areas?area={code_c}"),
    "api-v1:stats_h3": rule("/api/v1/stats/h3", {"community_staff", "street_leader", "dispatcher", "department_handler", "administrator"}, outside="/api/v1/stats/h3?area={code_c}"),
    "api-v1:stats_hotspots": rule("/api/v1/stats/hotspots", {"community_staff", "street_leader", "dispatcher", "department_handler", "administrator"}, outside="/api/v1/stats/hotspots?area={code_c}"),
    "api-v1:stats_durations": rule("/api/v1/stats/durations", {"community_staff", "street_leader", "dispatcher", "department_handler", "administrator"}, outside="/api/v1/stats/durations?area={code_c}"),
    # --- 预测预警 (alerts/views.py, alerts/api.py): leaders, community staff and the command centre read their area's alerts and mark them handled
    "alerts:list": rule("/alerts/", {"community_staff", "street_leader", "dispatcher", "administrator"}),
    "alerts:detail": rule("/alerts/{alert_a}/", {"community_staff", "street_leader", "dispatcher", "administrator"}, outside="/alerts/{alert_c}/"),
    "alerts:acknowledge": rule("/alerts/{alert_a}/acknowledge/", {"community_staff", "street_leader", "dispatcher", "administrator"}, method="post", data={"note": "已核实"}, ok={302}, outside="/alerts/{alert_c}/acknowledge/"),
    "api-v1:alert_list": rule("/api/v1/alerts", {"community_staff", "street_leader", "dispatcher", "administrator"}),
    "api-v1:alert_acknowledge": rule("/api/v1/alerts/{alert_a}/acknowledge", {"community_staff", "street_leader", "dispatcher", "administrator"}, method="post", data={"note": "已核实"}, outside="/api/v1/alerts/{alert_c}/acknowledge"),
    # --- 绩效考核 (evaluation/views.py, evaluation/api.py): rankings for those reading statistics (people ranked only with evaluation.evaluate_people; a department handler sees their department's line); a person's figures for themself and for evaluators whose scope covers them
    "evaluation:rankings": rule("/evaluation/", {"community_staff", "street_leader", "dispatcher", "department_handler", "administrator"}),
    "evaluation:export": rule("/evaluation/rankings.xlsx?by=department&period=2026-01", {"community_staff", "street_leader", "dispatcher", "department_handler", "administrator"}),
    "evaluation:me": rule("/evaluation/me/", STAFF, ok={302}),
    "evaluation:person": rule("/evaluation/people/{worker_a}/", {"grid_worker_a", "community_staff", "street_leader", "administrator"}, outside="/evaluation/people/{worker_c}/"),
    "evaluation:schemes": rule("/evaluation/schemes/", {"community_staff", "street_leader", "dispatcher", "administrator"}),
    "api-v1:evaluation_ranking": rule("/api/v1/evaluation/rankings?by=department&period=2026-01", {"community_staff", "street_leader", "dispatcher", "department_handler", "administrator"}),
    "api-v1:evaluation_person": rule("/api/v1/evaluation/people/{worker_a}?period=2026-01", {"grid_worker_a", "community_staff", "street_leader", "administrator"}, outside="/api/v1/evaluation/people/{worker_c}?period=2026-01"),
    # --- 自定报表 (reports/views.py, reports/api.py): for those reading statistics; a saved report is its owner's and the roles it is shared with (report_a: the street leader's, shared with community staff and dispatchers; report_c: a dispatcher's, shared with nobody); changing or deleting it is its owner's alone
    "reports:list": rule("/reports/", READS_REPORTS),
    "reports:new": rule("/reports/new/", READS_REPORTS),
    "reports:preview": rule("/reports/preview/?row_1=area:street&measures=count:report&start=2026-01-01&end=2026-01-31", READS_REPORTS),
    "reports:detail": rule("/reports/{report_a}/", REPORT_A_READERS, outside="/reports/{report_c}/", outside_allowed={"dispatcher"}),
    "reports:delete": rule("/reports/{report_a}/delete/", {"street_leader"}, method="post", ok={302}, outside="/reports/{report_c}/delete/", outside_allowed=set()),
    "reports:export": rule("/reports/{report_a}/export/?format=csv", REPORT_A_READERS, outside="/reports/{report_c}/export/?format=csv", outside_allowed={"dispatcher"}),
    "api-v1:custom_report_spec_run": rule("/api/v1/custom-reports/run", READS_REPORTS, method="post", data={"rows": ["area:street"], "measures": ["count:report"], "filters": {"period": "2026-01"}}),
    "api-v1:custom_report_list": rule("/api/v1/custom-reports", READS_REPORTS),
    "api-v1:custom_report_create": rule("/api/v1/custom-reports", READS_REPORTS, method="post", data={"name": "新报表", "spec": {"rows": ["area:street"], "measures": ["count:report"], "filters": {"period": "2026-01"}}}),
    "api-v1:custom_report_update": rule("/api/v1/custom-reports/{report_a}", {"street_leader"}, method="patch", data={"name": "改名"}, outside="/api/v1/custom-reports/{report_c}", outside_allowed=set()),
    "api-v1:custom_report_delete": rule("/api/v1/custom-reports/{report_a}", {"street_leader"}, method="delete", outside="/api/v1/custom-reports/{report_c}", outside_allowed=set()),
    "api-v1:custom_report_detail": rule("/api/v1/custom-reports/{report_a}", REPORT_A_READERS, outside="/api/v1/custom-reports/{report_c}", outside_allowed={"dispatcher"}),
    "api-v1:custom_report_saved_run": rule("/api/v1/custom-reports/{report_a}/run", REPORT_A_READERS, outside="/api/v1/custom-reports/{report_c}/run", outside_allowed={"dispatcher"}),
    "api-v1:custom_report_export": rule("/api/v1/custom-reports/{report_a}/export?format=csv", REPORT_A_READERS, outside="/api/v1/custom-reports/{report_c}/export?format=csv", outside_allowed={"dispatcher"}),
    # --- visits (走访): recorded by those doing visit work in their grids, corrected and turned into reports by the visit's worker
    "visits:list": rule("/visits/", VISIT_VIEWERS),
    "visits:new": rule("/visits/new/?person={person_a}", VISITORS, outside="/visits/new/?person={person_c}"),
    "visits:detail": rule("/visits/{visit_a}/", VISITS_A, outside="/visits/{visit_c}/"),
    "visits:edit": rule("/visits/{visit_a}/edit/", {"grid_worker_a"}, outside="/visits/{visit_c}/edit/"),
    "visits:follow-up": rule("/visits/{visit_a}/follow-ups/", {"grid_worker_a"}, method="post", data={"description": "楼道堆物"}, outside="/visits/{visit_c}/follow-ups/"),
}
# fmt: on
