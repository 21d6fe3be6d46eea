"""The circular as an editable Word document (python-docx) and as a PDF of that same document.

``circular_docx`` renders only from the circular's stored data, its number and its date, so the
same circular gives the same document whenever it is regenerated. The PDF is LibreOffice's
conversion of that .docx (``soffice --headless --convert-to pdf``, Debian's
libreoffice-writer-nogui), so the two never differ in content. Both run offline.
"""

import datetime
import io
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from progress.health import CLOSED, GREEN, RED, YELLOW

BODY_FONT = "Noto Serif CJK SC"
HEADING_FONT = "Noto Sans CJK SC"
RED_INK = RGBColor(0xC0, 0x00, 0x00)
CHINESE_NUMERALS = "一二三四五六七八九十"
PDF_TIMEOUT_SECONDS = 120


class DocumentError(Exception):
    """The PDF could not be made; the message is for the user."""


def _font(run_or_style, name: str, size: float | None = None, bold: bool | None = None, colour=None) -> None:
    font = run_or_style.font
    font.name = name
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if colour is not None:
        font.color.rgb = colour
    # Word picks the East Asian font from its own attribute; without it Chinese falls back.
    element = run_or_style.element if hasattr(run_or_style, "element") else run_or_style._element
    properties = element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(document, text: str = "", *, size=12, bold=False, align=None, colour=None, font=BODY_FONT, indent=True):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent and align is None:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    if text:
        _font(paragraph.add_run(text), font, size, bold, colour)
    return paragraph


def _heading(document, text: str) -> None:
    paragraph = _paragraph(document, text, size=14, bold=True, font=HEADING_FONT, indent=False)
    paragraph.paragraph_format.space_before = Pt(10)
    paragraph.paragraph_format.keep_with_next = True


def _red_rule(paragraph) -> None:
    """The red line under an official document's masthead (a bottom border)."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _table(document, headers: list[str], rows: list[list], widths: list[float]) -> None:
    """A grid table with a repeated bold header row. Fonts come from the table style (set once in
    ``_build``) and widths from the fixed grid: per-cell formatting made long tables slow."""
    table = document.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Cm(width) for width in widths]
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        column.w = width
    cells = table._cells
    for index, cell in enumerate(cells):
        cell.width = widths[index % len(widths)]
    for cell, header in zip(cells[: len(headers)], headers, strict=True):
        run = cell.paragraphs[0].add_run(header)
        run.bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for cell, value in zip(cells[len(headers) :], (v for row in rows for v in row), strict=True):
        cell.paragraphs[0].add_run(str(value))
    # The header row repeats on each page of a long table.
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)


def _page_number(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _signed(value: int) -> str:
    return f"+{value}" if value > 0 else str(value)


def _date(value: str) -> str:
    day = datetime.date.fromisoformat(value)
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def _period_name(data: dict) -> str:
    start = datetime.date.fromisoformat(data["start"])
    if data["kind"] == "week":
        return _("%(start)s至%(end)s") % {"start": _date(data["start"]), "end": _date(data["end"])}
    return _("%(y)s年%(m)s月") % {"y": start.year, "m": start.month}


def _numbered(index: int, text: str) -> str:
    return f"{CHINESE_NUMERALS[index]}、{text}"


def circular_docx(data: dict, *, number: str, dated: datetime.date) -> bytes:
    """The circular as .docx bytes, from its stored data; ``number`` is "" for a draft."""
    with translation.override(settings.LANGUAGE_CODE):
        return _build(data, number=number, dated=dated)


def _build(data: dict, *, number: str, dated: datetime.date) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _font(document.styles["Normal"], BODY_FONT, 12)
    _font(document.styles["Table Grid"], BODY_FONT, 9)
    _page_number(section)
    totals, before, changes = data["totals"], data["previous"]["totals"], data["changes"]
    period = _period_name(data)

    _paragraph(
        document,
        _("青岛市国资委督办通报"),
        size=26,
        bold=True,
        colour=RED_INK,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        font=HEADING_FONT,
    )
    masthead = _paragraph(document, number or _("(草稿,印发时编号)"), size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    _red_rule(masthead)
    _paragraph(
        document,
        _("关于%(period)s市属企业落实工业互联网任务进展情况的通报") % {"period": period},
        size=18,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        font=HEADING_FONT,
    )
    _paragraph(document, _("各市属企业:"), indent=False)
    _paragraph(
        document,
        _(
            "按照《关于市属企业在我市打造“世界工业互联网之都”中当好排头兵的通知》要求,现将%(period)s"
            "各企业任务落实情况通报如下(数据截至%(as_of)s,按国资委审核通过的台账统计):"
        )
        % {"period": period, "as_of": _date(data["as_of"])},
    )

    _heading(document, _numbered(0, _("总体情况")))
    _paragraph(
        document,
        _(
            "全市共跟踪时间节点 %(tracked)s 个,已销号 %(closed)s 个,逾期 %(red)s 个,预警 %(yellow)s 个,"
            "平均进度 %(progress)s%%。本期新增逾期 %(new_red)s 个,新销号 %(new_closed)s 个;逾期数较上期%(red_change)s。"
        )
        % {
            "tracked": totals["tracked"],
            "closed": totals[CLOSED],
            "red": totals[RED],
            "yellow": totals[YELLOW],
            "progress": totals["average_progress"],
            "new_red": totals["newly_overdue"],
            "new_closed": totals["newly_closed"],
            "red_change": _signed(changes[RED]),
        }
        + _("本期批准延期 %(n)s 个时间节点。") % {"n": totals["extensions_granted"]},
    )
    headline = [
        (_("跟踪时间节点"), totals["tracked"], before["tracked"], _signed(changes["tracked"])),
        (_("已销号"), totals[CLOSED], before[CLOSED], _signed(changes[CLOSED])),
        (_("逾期(红灯)"), totals[RED], before[RED], _signed(changes[RED])),
        (_("预警(黄灯)"), totals[YELLOW], before[YELLOW], _signed(totals[YELLOW] - before[YELLOW])),
        (_("正常(绿灯)"), totals[GREEN], before[GREEN], _signed(totals[GREEN] - before[GREEN])),
        (
            _("本期新增逾期"),
            totals["newly_overdue"],
            before["newly_overdue"],
            _signed(totals["newly_overdue"] - before["newly_overdue"]),
        ),
        (
            _("本期新销号"),
            totals["newly_closed"],
            before["newly_closed"],
            _signed(totals["newly_closed"] - before["newly_closed"]),
        ),
        (
            _("本期批准延期"),
            totals["extensions_granted"],
            before["extensions_granted"],
            _signed(totals["extensions_granted"] - before["extensions_granted"]),
        ),
        (
            _("平均进度(%)"),
            totals["average_progress"],
            before["average_progress"],
            _signed(changes["average_progress"]),
        ),
    ]
    _table(
        document,
        [_("指标"), _("本期"), _("上期(%(p)s)") % {"p": data["previous"]["period"]}, _("变化")],
        [list(row) for row in headline],
        [5.5, 3, 4, 3],
    )

    _heading(document, _numbered(1, _("进度排名")))
    _paragraph(document, _("按各企业时间节点平均进度排序(已销号按 100% 计),进度相同时逾期少者在前。"))
    _table(
        document,
        [_("排名"), _("企业"), _("时间节点"), _("已销号"), _("逾期"), _("平均进度(%)"), _("较上期名次")],
        [
            [
                row["rank"],
                row["name"],
                row["tracked"],
                row[CLOSED],
                row[RED],
                row["average_progress"],
                _signed(row["previous_rank"] - row["rank"]) if row["previous_rank"] else "—",
            ]
            for row in data["ranking"]
        ],
        [1.3, 3.5, 2, 2, 1.6, 2.6, 2.6],
    )

    _heading(document, _numbered(2, _("逾期事项(红榜)")))
    if not data["red_list"]:
        _paragraph(document, _("本期无逾期事项。"))
    for index, entry in enumerate(data["red_list"], start=1):
        paragraph = _paragraph(
            document,
            _("(%(n)s)%(name)s:逾期 %(count)s 项") % {"n": index, "name": entry["name"], "count": entry["overdue"]},
            bold=True,
        )
        paragraph.paragraph_format.keep_with_next = True
        shown = len(entry["milestones"])
        _table(
            document,
            [_("条款"), _("工作任务"), _("时间节点"), _("逾期天数"), _("进度"), _("存在问题"), _("下步计划")],
            [
                [
                    m["directive"],
                    m["title"],
                    m["due_date"],
                    m["days_overdue"],
                    f"{m['progress']}%",
                    m["problems"] or "—",
                    m["next_steps"] or "—",
                ]
                for m in entry["milestones"]
            ],
            [1.5, 3.2, 2.3, 1.3, 1.3, 3.0, 3.1],
        )
        if entry["overdue"] > shown:
            _paragraph(document, _("另有 %(n)s 项逾期事项,详见台账。") % {"n": entry["overdue"] - shown}, size=10)

    _heading(document, _numbered(3, _("领导批示和督办单办理情况")))
    instructions, orders = data["followups"]["instructions"], data["followups"]["orders"]
    _paragraph(
        document,
        _("截至%(as_of)s,尚在落实的领导批示 %(i)s 件,未办结的督办单 %(o)s 件(其中逾期未反馈 %(late)s 件)。")
        % {
            "as_of": _date(data["as_of"]),
            "i": len(instructions),
            "o": len(orders),
            "late": sum(1 for order in orders if order["overdue"]),
        },
    )
    if instructions:
        _table(
            document,
            [_("批示日期"), _("批示领导"), _("批示内容"), _("批示对象"), _("办理时限")],
            [
                [
                    i["date"],
                    i["author"],
                    i["text"],
                    i["subject"],
                    (i["due_date"] or _("待交办")) + (_("(逾期)") if i["overdue"] else ""),
                ]
                for i in instructions
            ],
            [2.2, 2, 5.5, 3.5, 2.5],
        )
    if orders:
        _paragraph(document)
        _table(
            document,
            [_("文号"), _("企业"), _("督办事项"), _("反馈时限"), _("办理状态")],
            [
                [
                    o["number"],
                    o["enterprise"],
                    o["title"],
                    o["answer_due"],
                    _("已反馈待审核") if o["answered"] else (_("逾期未反馈") if o["overdue"] else _("办理中")),
                ]
                for o in orders
            ],
            [3.6, 2.4, 5.2, 2.3, 2.2],
        )

    # matplotlib takes half a second to import: only the process that draws a circular pays it,
    # not every web worker and reminder scan that loads the URLconf.
    from progress.circulars import charts

    _heading(document, _numbered(4, _("统计图表")))
    for caption, image in (
        (_("图1 各企业平均进度"), charts.completion_chart(data["ranking"])),
        (_("图2 各类任务健康状态"), charts.category_chart(data["charts"]["categories"])),
        (_("图3 近12个月逾期时间节点数"), charts.trend_chart(data["charts"]["overdue_trend"])),
    ):
        document.add_picture(io.BytesIO(image), width=Cm(15.5))
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _paragraph(document, caption, size=10, align=WD_ALIGN_PARAGRAPH.CENTER)

    _heading(document, _numbered(5, _("下步要求")))
    _paragraph(
        document,
        _(
            "请各企业对照本通报,逐项分析逾期原因,明确整改措施和完成时限,于下月报送台账时一并说明;"
            "列入红榜的企业要由主要负责同志亲自研究部署。对督办单要按时签收、按期反馈,国资委将持续跟踪督办,"
            "并将落实情况纳入年度考核。"
        ),
    )
    _paragraph(document)
    _paragraph(document, _("青岛市人民政府国有资产监督管理委员会"), align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, _date(dated.isoformat()), align=WD_ALIGN_PARAGRAPH.RIGHT)
    buffer = io.BytesIO()
    document.core_properties.title = _("督办通报") + " " + data["period"]
    document.core_properties.author = _("青岛市国资委")
    # Fixed metadata times: the same data gives the same document.
    stamp = datetime.datetime.combine(dated, datetime.time())
    document.core_properties.created = document.core_properties.modified = stamp
    document.save(buffer)
    return buffer.getvalue()


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


# One LibreOffice profile per process, used by one conversion at a time: making a fresh profile
# costs about a second per call, and two conversions must never share one.
_PROFILE_LOCK = threading.Lock()


def _profile_dir() -> Path:
    return Path(settings.VAR_DIR) / "soffice" / f"profile-{os.getpid()}"


def _convert(soffice: str, source: str, work: str) -> None:
    profile = _profile_dir()
    profile.parent.mkdir(parents=True, exist_ok=True)
    command = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "pdf",
        "--outdir",
        work,
        source,
    ]
    subprocess.run(
        command, check=True, capture_output=True, timeout=PDF_TIMEOUT_SECONDS, env={**os.environ, "HOME": work}
    )


def docx_to_pdf(docx: bytes) -> bytes:
    """The PDF of a .docx by LibreOffice headless (in this process's own profile)."""
    soffice = soffice_path()
    if soffice is None:
        raise DocumentError(_("服务器未安装 LibreOffice,无法生成 PDF;Word 文档已生成。"))
    with tempfile.TemporaryDirectory(prefix="qdsasac-pdf-") as work, _PROFILE_LOCK:
        source = os.path.join(work, "circular.docx")
        target = os.path.join(work, "circular.pdf")
        with open(source, "wb") as handle:
            handle.write(docx)
        try:
            _convert(soffice, source, work)
            if not os.path.exists(target):
                # A profile left broken by a killed conversion: start again with a fresh one.
                shutil.rmtree(_profile_dir(), ignore_errors=True)
                _convert(soffice, source, work)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            shutil.rmtree(_profile_dir(), ignore_errors=True)
            raise DocumentError(_("PDF 生成失败,请稍后重试;Word 文档已生成。")) from error
        if not os.path.exists(target):
            raise DocumentError(_("PDF 生成失败,请稍后重试;Word 文档已生成。"))
        with open(target, "rb") as handle:
            return handle.read()
