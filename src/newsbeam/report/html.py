"""Assemble the self-contained report page: inline CSS, plotly.js inlined once, one JSON spec per chart, tables.

The plotly.js inlined is the *cartesian* partial bundle (``data/plotly-cartesian.min.js``, npm package
``plotly.js-cartesian-dist-min``, MIT): bar, scatter and heatmap are all the page draws, and it is 1.5 MB where the
full bundle the plotly package ships is 4.8 MB (a page went from 5.1 to about 1.8 MB). Its version must be the
plotly.js version of the installed plotly package, whose figure classes validate our specs; a test checks it.

Safety rules, because corpus text is untrusted:
* every corpus value in the HTML goes through ``esc`` (html.escape);
* chart specs are JSON inside ``<script type="application/json">`` with ``<``, ``>`` and ``&`` written as
  ``\\u003c``/``\\u003e``/``\\u0026``, so no string can close the script element or open an HTML comment, and the
  strings in them were html-escaped before (plotly renders a little HTML in labels);
* the page loads nothing: no ``src``/``href`` to the network, plotly geo traces (which fetch outlines) are not used.

A last script draws the charts and then marks ``<body data-rendered="ok" data-charts-drawn="N">`` (or lists script
errors in ``data-errors``), which is what the headless-browser test reads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources

from plotly.utils import PlotlyJSONEncoder

from newsbeam.report.charts import esc


@dataclass(frozen=True)
class Column:
    """A table column: row key, header text, and how to format a value (numbers are right-aligned)."""

    key: str
    label: str
    fmt: Callable[[object], str] | None = None
    numeric: bool = False


def safe_json(obj: object) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' characters, no JS line separators."""
    text = json.dumps(obj, cls=PlotlyJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    for ch, rep in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, rep)
    return text


def fmt_value(value: object) -> str:
    """A cell's text: dates as ISO, timestamps to the minute (UTC), lists joined, floats with one decimal."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, (list, tuple)):
        return "; ".join(fmt_value(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def html_table(columns: Sequence[Column], rows: Sequence[dict], limit: int | None = None, caption: str = "",
               fold: int = 12) -> str:
    """A plain, escaped HTML table; past ``limit`` rows a note says how many were left out.

    A table longer than ``fold`` rows sits in a closed <details> so the charts stay close together on screen.
    """
    shown = list(rows if limit is None else rows[:limit])
    head = "".join(f'<th{" class=num" if c.numeric else ""}>{esc(c.label)}</th>' for c in columns)
    body = []
    for r in shown:
        cells = []
        for c in columns:
            text = (c.fmt or fmt_value)(r.get(c.key))
            cells.append(f'<td{" class=num" if c.numeric else ""}>{esc(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    more = ""
    if limit is not None and len(rows) > limit:
        more = f'<p class="more">{len(rows) - limit} more rows not shown.</p>'
    table = f'<table>{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>{more}'
    if len(shown) > fold:
        label = f"{caption}: " if caption else "Numbers: "
        return f"<details><summary>{esc(label)}table of {len(shown)} rows</summary>{table}</details>"
    return table


@dataclass
class Section:
    """One part of the page: heading, an explanation, an optional chart spec and the HTML under it."""

    anchor: str
    title: str
    intro: str
    figure: dict | None
    tables: str
    empty_note: str = "Nothing to show for the selected articles."


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#222;
background:#fafafa}
header{background:#1f3a5f;color:#fff;padding:18px 32px}header h1{margin:0 0 4px;font-size:26px}
header p{margin:2px 0;color:#dbe4ef;font-size:14px}
nav{padding:8px 32px;background:#e9eef4;font-size:14px}nav a{margin-right:14px;color:#1f3a5f}
main{max-width:1280px;margin:0 auto;padding:8px 32px 40px}
section{background:#fff;border:1px solid #e2e2e2;border-radius:6px;margin:18px 0;padding:10px 20px 16px}
h2{font-size:20px;margin:10px 0 4px}p.intro{color:#555;margin:0 0 8px;font-size:14px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.card{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:8px 14px;min-width:120px}
.card b{display:block;font-size:22px}.card span{font-size:12px;color:#666}
table{border-collapse:collapse;font-size:13px;margin:10px 0;max-width:100%}
th,td{border-bottom:1px solid #e6e6e6;padding:3px 10px;text-align:left;vertical-align:top}
th{background:#f1f3f6}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tbody tr:nth-child(even){background:#fafbfc}caption{text-align:left;font-weight:600;padding:4px 0}
details summary{cursor:pointer;color:#1f3a5f;font-size:14px;margin:6px 0}p.more,p.empty{color:#777;font-size:13px}
.chart{width:100%}footer{color:#888;font-size:12px;text-align:center;padding:20px}
"""

BOOT_JS = """window.PlotlyConfig={MathJaxConfig:'local'};window.__nbErrors=[];
window.addEventListener('error',function(e){window.__nbErrors.push(String(e.message||e));});"""

DRAW_JS = """(function(){
var errors=window.__nbErrors,jobs=[],cfg={displaylogo:false,responsive:true,
modeBarButtonsToRemove:['select2d','lasso2d']};
document.querySelectorAll('script[type="application/json"][data-chart]').forEach(function(s){
 try{var fig=JSON.parse(s.textContent);
  jobs.push(Plotly.newPlot(document.getElementById(s.getAttribute('data-chart')),fig.data,fig.layout,cfg));}
 catch(e){errors.push(String(e&&e.message||e));}
});
function done(){var b=document.body,drawn=0;
 document.querySelectorAll('.js-plotly-plot').forEach(function(d){if(d.querySelector('.main-svg')){drawn++;}});
 b.setAttribute('data-charts-drawn',String(drawn));
 b.setAttribute('data-remote-resources',String(performance.getEntriesByType('resource').filter(function(r){
  return /^https?:/i.test(r.name);}).length));
 if(errors.length){b.setAttribute('data-errors',errors.join(' | '));}
 b.setAttribute('data-rendered',errors.length?'error':'ok');}
Promise.all(jobs).then(done,function(e){errors.push(String(e&&e.message||e));done();});
})();"""


PLOTLY_BUNDLE = "plotly-cartesian.min.js"


def plotly_bundle() -> str:
    """The cartesian plotly.js bundle, made safe to inline (it must not close its own script)."""
    text = resources.files("newsbeam").joinpath("data", PLOTLY_BUNDLE).read_text(encoding="utf-8")
    return text.replace("</script", "<\\/script")


def plotly_bundle_version() -> str:
    """The plotly.js version in the bundle's header comment (``v4.1.1`` -> ``4.1.1``)."""
    head = resources.files("newsbeam").joinpath("data", PLOTLY_BUNDLE).read_text(encoding="utf-8")[:300]
    m = re.search(r"plotly\.js \(cartesian - minified\) v(\S+)", head)
    return m.group(1) if m else ""


def section_html(s: Section) -> str:
    chart = ""
    if s.figure is not None:
        chart = (f'<div class="chart" id="chart-{esc(s.anchor)}"></div>'
                 f'<script type="application/json" data-chart="chart-{esc(s.anchor)}">{safe_json(s.figure)}</script>')
    elif not s.tables:
        chart = f'<p class="empty">{esc(s.empty_note)}</p>'
    return (f'<section id="{esc(s.anchor)}"><h2>{esc(s.title)}</h2><p class="intro">{esc(s.intro)}</p>'
            f"{chart}{s.tables}</section>")


def cards_html(cards: Sequence[tuple[str, str]]) -> str:
    return '<div class="cards">' + "".join(
        f'<div class="card"><b>{esc(v)}</b><span>{esc(k)}</span></div>' for k, v in cards) + "</div>"


def page(title: str, subtitle_lines: Sequence[str], cards: Sequence[tuple[str, str]], sections: Sequence[Section],
         footer: str) -> str:
    """The whole HTML document."""
    nav = "".join(f'<a href="#{esc(s.anchor)}">{esc(s.title)}</a>' for s in sections)
    subs = "".join(f"<p>{esc(line)}</p>" for line in subtitle_lines)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{esc(title)}</title><style>{CSS}</style>"
        f"<script>{BOOT_JS}</script><script>{plotly_bundle()}</script></head>"
        f'<body data-charts="{sum(s.figure is not None for s in sections)}">'
        f"<header><h1>{esc(title)}</h1>{subs}</header><nav>{nav}</nav><main>{cards_html(cards)}"
        + "".join(section_html(s) for s in sections)
        + f"</main><footer>{esc(footer)}</footer><script>{DRAW_JS}</script></body></html>\n"
    )
