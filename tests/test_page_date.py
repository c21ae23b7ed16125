"""The publication date a page prints, read when no front matter or meta tag gives one."""
from extract.ingest.clean import page_date
from extract.ingest.read import parse_html


def test_metadata_line_near_the_top():
    assert page_date("标题\n发布时间：2021-06-09 10:21 来源：黄石日报\n正文") == "2021-06-09"


def test_roc_calendar_date_alone_on_a_line():
    assert page_date("產業觀光\n104.11.26\n新竹市政府今(26)日…") == "2015-11-26"
    assert page_date("民國104年11月26日\n正文") == "2015-11-26"


def test_signature_date_of_a_document():
    text = "关于成立领导小组的通知\n各单位：\n现将有关事项通知如下。\n临安市人民政府办公室\n2013年10月10日\n（此件可公开发布）"
    assert page_date(text) == "2013-10-10"


def test_a_date_inside_the_body_or_a_url_is_not_the_page_date():
    assert page_date("正文\n会议于2013年10月10日召开，各方参加。\n完") is None
    html = '<html><body><h1>标题</h1><p><a href="http://x.cn/2021-06-09/a.html">链接</a></p><p>正文内容很长。</p></body></html>'
    assert parse_html(html)["published"] is None


def test_variant_city_character_is_read_as_shi():
    from extract.text.script import to_simplified, to_simplified_chars
    assert to_simplified("林智堅巿長") == to_simplified_chars("林智堅巿長") == "林智坚市长"
