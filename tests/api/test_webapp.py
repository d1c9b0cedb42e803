"""The web app in a real browser: Playwright driving Debian's Chromium against a live server."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.paths import FIXTURES

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason="Debian's Chromium is not installed (apt-get install chromium)"),
              pytest.mark.slow]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
ARTICLE = ("Missiles, NATO and the road to World War III\n\n"
           "Washington approved long-range strikes deep inside Russia, and NATO capitals cheered. "
           "Moscow warned that one miscalculation could lead to a nuclear confrontation. "
           "<script>window.__pwned = 1</script> Europe is sleepwalking towards a war nobody can win.\n")


def _serve(settings):
    """A live server on a free port, in a thread: ``(address, stop)``."""
    import uvicorn

    from narrascope.api.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not srv.started and time.time() < deadline:
        time.sleep(0.1)
    assert srv.started, "the server did not start"

    def stop() -> None:
        srv.should_exit = True
        thread.join(10)

    return f"http://127.0.0.1:{port}", stop


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from narrascope.api.app import Settings

    address, stop = _serve(Settings(db=str(tmp_path_factory.mktemp("web") / "corpus.duckdb")))
    yield address
    stop()


@pytest.fixture(scope="module")
def page(server):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser.new_page()
        browser.close()


def test_analyse_an_article_in_the_browser(server: str, page):
    page.goto(server + "/#analyze")
    page.wait_for_selector("#article-text")
    page.fill("#article-text", ARTICLE)
    page.check("#store-it")
    page.click("#analyze-button")
    page.wait_for_selector("article.card", timeout=60_000)
    page.wait_for_function("document.querySelector('#analyze-status').textContent.startsWith('stored')")
    card = page.locator("article.card")
    assert "Missiles, NATO" in card.locator("h2").inner_text()
    assert card.locator("table").first.locator("tbody tr").count() >= 1  # narratives
    # the rows are the API's view (report/view.py: what the terminal and the HTML report show), in its order
    view = page.evaluate("""text => fetch('/analyze', {method: 'POST', headers: {'content-type': 'application/json'},
                             body: JSON.stringify({text})}).then(r => r.json()).then(d => d.view)""", ARTICLE)
    shown = [t.replace("└", "").strip() for t in
             card.locator("table").first.locator("tbody tr td:first-child").all_inner_texts()]
    assert shown == [row["shown"] for row in view["narratives"]]
    actors = card.locator("h3:text('Actors') + .table-wrap tbody tr td:first-child").all_inner_texts()
    assert actors == [a["name"] for a in view["actors"]] and len(actors) >= 2
    assert page.locator(".text span.ent").count() >= 2  # actors highlighted by role
    assert page.locator(".text span.quote").count() >= 1  # the explanation's quotes in the text
    # the explanation's quote links to its place in the text, and the address stays (reload shows the page)
    page.locator(".explain a").first.click()
    assert page.evaluate("location.hash") == "#analyze" and page.locator("#q0").count() == 1
    # people read names, not codes
    assert "_" not in card.locator("p.muted").last.inner_text()
    for name in card.locator("table").last.locator("tbody tr td:first-child").all_inner_texts():
        assert "_" not in name, name
    # the article's <script> is shown as text, never run
    assert page.evaluate("window.__pwned") is None
    assert "<script>window.__pwned = 1</script>" in page.locator(".text").inner_text()


DATED = ("Europe and the war economy\n\nBrussels promised more weapons for Ukraine, while Moscow said the West "
         "wants a long war. Officials in Berlin warned of escalation and NATO called for calm.\n")


def test_browse_the_dashboard(server: str, page):
    stored = page.request.post(server + "/documents", data={"text": DATED, "date": "2026-03-02", "source": "Daily"})
    assert stored.status == 201
    page.goto(server + "/#corpus")
    page.wait_for_selector("#articles tbody tr")
    assert page.locator("#articles tbody tr").count() == 2
    days = page.locator("#articles tbody tr td:first-child").all_inner_texts()
    assert sorted(days) == ["2026-03-02", "undated"]  # an undated article is not dated by its ingestion
    # the filters suggest what these articles hold, as one types
    page.wait_for_function("document.querySelectorAll('#entity-list option').length > 0")
    assert "Daily" in [o.get_attribute("value") for o in page.locator("#source-list option").all()]
    assert page.locator("#technique-list option").count() > 0
    page.wait_for_function("window.Chart && Chart.getChart(document.querySelector('#prevalence'))")
    assert page.locator("#prevalence").is_visible()
    assert page.evaluate("Chart.getChart(document.querySelector('#prevalence')).data.datasets.length") >= 1
    assert "format=parquet" in page.locator("#export a[data-format=parquet]").get_attribute("href")
    page.fill("input[name=q]", "no-such-word-anywhere")
    page.click("#filters button[type=submit]")
    page.wait_for_function("document.querySelector('#total').textContent === '(0)'")
    page.fill("input[name=q]", "miscalculation")
    page.click("#filters button[type=submit]")
    page.wait_for_function("document.querySelector('#total').textContent === '(1)'")
    page.locator("#articles tbody a").first.click()  # the article page
    page.wait_for_selector("article.card")
    assert page.evaluate("location.hash").startswith("#doc=")
    assert page.locator(".text span.ent").count() >= 2


def _no_sideways_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_dashboard_state_lives_in_the_address_and_survives_reload_and_back(server: str, page):
    page.goto(server + "/#corpus")
    page.wait_for_selector("#articles tbody tr")
    page.fill("input[name=entity]", "washing")  # part of a name, any case
    page.click("#filters button[type=submit]")
    page.wait_for_function("location.hash.includes('entity=washing')")
    page.wait_for_function("document.querySelector('#total').textContent === '(1)'")
    page.reload()
    page.wait_for_function("document.querySelector('#total').textContent === '(1)'")
    assert page.input_value("input[name=entity]") == "washing"
    page.fill("input[name=entity]", "nobody-at-all")
    page.click("#filters button[type=submit]")
    page.wait_for_function("document.querySelector('#total').textContent === '(0)'")
    page.go_back()
    page.wait_for_function("document.querySelector('#total').textContent === '(1)'")
    assert page.input_value("input[name=entity]") == "washing"


def test_click_an_actor_or_a_chart_bar_to_see_its_articles(server: str, page):
    page.goto(server + "/#corpus")
    page.wait_for_selector("#roles a")
    actor = page.locator("#roles a").first
    name = actor.inner_text()
    actor.click()
    page.wait_for_function("document.querySelector('#view-corpus').dataset.shown?.includes('entity=')")
    assert page.input_value("input[name=entity]") == name
    page.goto(server + "/#corpus")
    page.wait_for_function("document.querySelector('#view-corpus').dataset.shown === '#corpus'")
    page.locator("#prevalence").scroll_into_view_if_needed()
    box = page.locator("#prevalence").bounding_box()
    x, y, label = page.evaluate("""() => { const c = Chart.getChart(document.querySelector('#prevalence'));
        const bar = c.getDatasetMeta(0).data.find(b => Math.abs(b.base - b.y) > 2);
        return [bar.x, (bar.y + bar.base) / 2, c.data.datasets[0].label]; }""")
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_function("document.querySelector('#view-corpus').dataset.shown?.includes('narrative=')")
    assert page.input_value("input[name=narrative]") == label


def test_pages_fit_a_phone_screen(server: str, page):
    phone = page.context.browser.new_page(viewport={"width": 375, "height": 740})
    phone.goto(server + "/#analyze")
    phone.fill("#article-text", ARTICLE)
    phone.click("#analyze-button")
    phone.wait_for_selector("article.card", timeout=60_000)
    assert _no_sideways_overflow(phone), "analyse page"
    phone.goto(server + "/#corpus")
    phone.wait_for_function("document.querySelector('#view-corpus').dataset.shown === '#corpus'")
    assert _no_sideways_overflow(phone), "dashboard"
    phone.locator("#articles tbody a").first.click()
    phone.wait_for_selector("article.card")
    assert _no_sideways_overflow(phone), "article page"
    phone.close()


def test_write_a_taxonomy_find_its_matches_and_confirm_one(tmp_path, page):
    import json
    import urllib.request

    from narrascope.api.app import Settings

    fixture = FIXTURES / "custom_taxonomy"
    mine = tmp_path / "mine.yaml"
    address, stop = _serve(Settings(db=str(tmp_path / "c.duckdb"), taxonomy=str(mine)))
    try:
        page.goto(address + "/#taxonomy")
        page.wait_for_function("document.querySelector('#tax-status').textContent.includes('No taxonomy yet')")
        page.fill("#tax-yaml", (fixture / "taxonomy.yaml").read_text(encoding="utf-8"))
        page.click("#tax-save")
        page.wait_for_function("document.querySelectorAll('#tax-labels tbody tr').length === 12")
        assert mine.is_file()
        text = (fixture / "articles" / "n01.txt").read_text(encoding="utf-8")
        request = urllib.request.Request(address + "/documents", data=json.dumps({"text": text}).encode(),
                                         headers={"content-type": "application/json"}, method="POST")
        assert urllib.request.urlopen(request, timeout=60).status == 201
        page.locator("#tax-labels a", has_text="find matches").first.click()  # Election fraud
        page.wait_for_selector("article.match", timeout=60_000)
        page.locator("article.match button.vote", has_text="pushes it").first.click()
        page.wait_for_function("document.querySelector('article.match li').textContent.includes('saved as an example')")
        assert "examples" in mine.read_text(encoding="utf-8")
        assert _no_sideways_overflow(page)
    finally:
        stop()


def test_new_narratives_page_finds_a_recurring_claim_and_adds_it(tmp_path, page):
    import json
    import urllib.request

    from narrascope.api.app import Settings
    from tests.discover.test_discover import TAXONOMY, corpus

    mine = tmp_path / "mine.yaml"
    mine.write_bytes(TAXONOMY.read_bytes())
    folder = corpus(tmp_path)
    address, stop = _serve(Settings(db=str(tmp_path / "c.duckdb"), taxonomy=str(mine)))
    try:
        for k, path in enumerate(sorted((folder / "raw-documents").glob("*.txt"))):
            article = {"text": path.read_text(encoding="utf-8"), "date": f"2027-05-0{1 + k % 3}"}
            request = urllib.request.Request(address + "/documents", method="POST", data=json.dumps(article).encode(),
                                             headers={"content-type": "application/json"})
            assert urllib.request.urlopen(request, timeout=60).status == 201
        page.goto(address + "/#new")
        page.click("#new-run")
        page.wait_for_selector("#new-clusters article.match .badge-new", timeout=120_000)
        card = page.locator("#new-clusters article.match", has_text="salmon").first
        assert card.locator("svg rect").count() >= 1 and card.locator("q").count() >= 3
        page.once("dialog", lambda dialog: dialog.accept("Salmon scare"))
        card.locator("button", has_text="add to your narratives").click()
        page.wait_for_function("[...document.querySelectorAll('#new-clusters article.match')].some("
                               "a => a.textContent.includes('added:'))")
        assert "Salmon scare" in mine.read_text(encoding="utf-8")
        assert _no_sideways_overflow(page)
    finally:
        stop()


def test_sort_the_articles_by_a_column_on_every_page(server: str, page):
    """A header click sorts the articles on the server (every page follows it); a second click reverses
    the order; the order lives in the address, so a reload keeps it."""
    body = ARTICLE.split("\n", 1)[1]
    for title in ("Zeta harbour strike widens", "alpha grain deal stalls"):
        assert page.request.post(server + "/documents", data={"text": f"{title}\n{body}"}).status in (200, 201)
    page.goto(server + "/#corpus")
    page.wait_for_selector("#articles tbody tr")
    titles = lambda: page.locator("#articles tbody tr td:nth-child(2)").all_inner_texts()  # noqa: E731
    page.click("#articles th[data-sort=title] button")
    page.wait_for_function("document.querySelector('#view-corpus').dataset.shown?.includes('sort=title')")
    assert len(titles()) >= 3 and titles() == sorted(titles(), key=str.lower)
    assert page.get_attribute("#articles th[data-sort=title]", "aria-sort") == "ascending"
    page.click("#articles th[data-sort=title] button")
    page.wait_for_function("document.querySelector('#view-corpus').dataset.shown?.includes('sort=-title')")
    assert titles() == sorted(titles(), key=str.lower, reverse=True)
    page.reload()
    page.wait_for_function("document.querySelector('#view-corpus').dataset.shown?.includes('sort=-title')")
    assert page.get_attribute("#articles th[data-sort=title]", "aria-sort") == "descending"
    page.fill("input[name=q]", "miscalculation")  # a filter keeps the order
    page.click("#filters button[type=submit]")
    page.wait_for_function("location.hash.includes('q=miscalculation') && location.hash.includes('sort=-title')")


def test_a_changed_article_shows_its_earlier_versions(server: str, page):
    body = ARTICLE.split("\n", 1)[1]
    url = "https://news.example/a-changing-page"
    page.request.post(server + "/documents", data={"text": f"Strikes debate\n{body}", "url": url})
    new = page.request.post(server + "/documents", data={"text": f"Strikes debate\n{body}Update: talks.", "url": url})
    assert new.json()["status"] == "updated"
    page.goto(server + f"/#doc={new.json()['id']}")
    page.wait_for_selector("ul.history a")
    assert "Earlier versions (1)" in page.locator("article.card h3").all_inner_texts()
    page.click("ul.history a")
    page.wait_for_selector("article.card .notice")
    assert page.evaluate("location.hash").startswith("#earlier=") and "Update: talks" not in page.inner_text("article.card")


def test_click_a_technique_to_see_its_articles(server: str, page):
    """From an article's technique table, and from the dashboard's technique list, to the articles using it."""
    posted = page.request.post(server + "/documents", data={"text": ARTICLE, "source": "Techniques Daily"}).json()
    page.goto(server + f"/#doc={posted['id']}")
    page.wait_for_selector("article.card")
    links = page.locator("article.card table a[href^='#corpus?technique=']")
    assert links.count() >= 1, "the article uses no technique"
    name = links.first.inner_text()
    links.first.click()
    page.wait_for_function("document.querySelector('#view-corpus').dataset.shown?.includes('technique=')")
    assert page.input_value("input[name=technique]")  # the technique's name, as the filter reads it
    assert name and "_" not in name
    ids = [a.get_attribute("href") for a in page.locator("#articles tbody a").all()]
    assert f"#doc={posted['id']}" in ids
    page.goto(server + "/#corpus")  # the dashboard unfiltered, then its technique list
    page.wait_for_function("document.querySelector('#view-corpus').dataset.shown === '#corpus'")
    listed = page.locator("#techniques a").first
    listed.click()
    page.wait_for_function("document.querySelector('#view-corpus').dataset.shown?.includes('technique=')")
    assert page.input_value("input[name=technique]") and page.locator("#articles tbody tr").count() >= 1
    # in the article, each technique is underlined in its own colour, named in the legend
    page.goto(server + f"/#doc={posted['id']}")
    page.wait_for_selector("article.card .legend .chip")
    colours = page.evaluate("[...document.querySelectorAll('.text span.tech')].map(s => s.style.textDecorationColor)")
    assert colours and all(colours)
    assert page.locator("article.card .legend .chip").count() == links.count()


def test_suggestions_languages_and_the_chart_legend_come_from_the_data(server: str, page):
    hindi = "दिल्ली में बैठक\n\nनाटो ने रूस के पास अपने सैनिक भेजे, और मॉस्को ने चेतावनी दी कि युद्ध फैल सकता है।\n"
    assert page.request.post(server + "/documents", data={"text": hindi}).status in (200, 201)  # undated
    dated = {"text": ARTICLE.replace("Missiles", "Drones"), "date": "2026-03-03"}  # the chart shows dated ones
    assert page.request.post(server + "/documents", data=dated).status in (200, 201)
    page.goto(server + "/#corpus")
    page.wait_for_function("document.querySelector('#view-corpus').dataset.shown === '#corpus'")
    suggested = [o.get_attribute("value") for o in page.locator("#narrative-list option").all()]
    assert any(v.count(":") >= 2 for v in suggested), suggested  # sub-narratives too ("URW: X: Y")
    assert not any(v == "Other" or v.endswith(": Other") for v in suggested)
    languages = [o.get_attribute("value") for o in page.locator("select[name=language] option").all()]
    assert "hi" in languages and "en" in languages  # the undated Hindi article's language is offered
    page.goto(server + "/#corpus?language=hi")  # a link with a language keeps it while the lists load
    page.wait_for_function("document.querySelector('#view-corpus').dataset.shown === '#corpus?language=hi'")
    assert page.input_value("select[name=language]") == "hi"
    page.locator("#roles a, #techniques a").first.click()  # another filter added: the language stays
    page.wait_for_function("!document.querySelector('#view-corpus').dataset.shown.endsWith('language=hi')")
    assert "language=hi" in page.evaluate("location.hash")
    assert page.get_attribute("#articles th[data-sort=date] button", "title")  # what a header click does
    # the chart's legend wraps under it on a phone: every narrative named, none cut off
    phone = page.context.browser.new_page(viewport={"width": 375, "height": 740})
    phone.goto(server + "/#corpus")
    phone.wait_for_function("document.querySelectorAll('#chart-legend button').length > 0")
    datasets = phone.evaluate("Chart.getChart(document.querySelector('#prevalence')).data.datasets.length")
    items = phone.locator("#chart-legend button")
    assert items.count() == datasets
    width = phone.evaluate("window.innerWidth")
    for box in (items.nth(i).bounding_box() for i in range(items.count())):
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1
    items.first.click()  # hides that narrative's bars
    assert phone.evaluate("Chart.getChart(document.querySelector('#prevalence')).isDatasetVisible(0)") is False
    phone.close()


def test_also_store_it_sends_one_request(server: str, page):
    """The article is analysed (and a URL fetched) once: one POST /documents, then the stored article read."""
    posts = []

    def record(request) -> None:
        if request.method == "POST":
            posts.append(request.url)

    page.on("request", record)
    page.goto(server + "/#analyze")
    page.fill("#article-text", ARTICLE.replace("Missiles", "Rockets"))
    page.check("#store-it")
    page.click("#analyze-button")
    page.wait_for_function("document.querySelector('#analyze-status').textContent.startsWith('stored')",
                           timeout=60_000)
    page.remove_listener("request", record)
    assert [u.rsplit("/", 1)[-1] for u in posts] == ["documents"]
    assert page.get_attribute("article.card th[title]", "title").startswith("Calibrated probability")
