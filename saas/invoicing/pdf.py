"""Invoice and credit note PDFs, built in memory with fpdf2 (no files, no fonts to ship).

The core Helvetica font covers the Windows-1252 character set (PDF's WinAnsiEncoding);
anything outside it is transliterated (é and “quotes” stay, Łódź becomes Lódz, Nguyễn
becomes Nguyen) or replaced by `?`, so a customer's name can never break the document.
"""

from __future__ import annotations

import unicodedata

from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, XPos, YPos

from saas.core.money import format_percent, format_quantity
from saas.invoicing.document import InvoiceDocument, category_label

ENCODING = "cp1252"
INK = (28, 35, 51)
MUTED = (93, 103, 128)
BRAND = (31, 94, 255)
RULE = (226, 230, 239)
SHADE = (245, 247, 251)
VOID_RED = (200, 40, 40)
# Characters with no decomposition to a printable base letter, and a few typographic ones.
REPLACEMENTS = {
    "\u2212": "-",
    "\u2192": "->",
    "\u2190": "<-",
    "\u202f": " ",
    "\u2009": " ",
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "Ħ": "H",
    "ħ": "h",
    "ı": "i",
}


def pdf_text(value: object) -> str:
    """`value` as text Helvetica can print: unsupported characters are transliterated or `?`."""
    text = "" if value is None else str(value)
    out = []
    for char in text:
        char = REPLACEMENTS.get(char, char)
        try:
            char.encode(ENCODING)
            out.append(char)
        except UnicodeEncodeError:
            simple = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
            try:
                simple.encode(ENCODING)
                out.append(simple or "?")
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


class InvoicePDF(FPDF):
    """A4 pages with a quiet footer: the document and page numbers."""

    def __init__(self, footer_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.core_fonts_encoding = ENCODING
        self.footer_text = footer_text
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(auto=True, margin=22)

    def mark_void(self) -> None:
        """Stamp a large, translucent diagonal VOID over every page, so a void copy is never taken for a bill."""
        last = self.page
        for page in range(1, self.pages_count + 1):
            self.page = page
            with self.local_context(text_color=VOID_RED, fill_opacity=0.22):
                self.set_font("Helvetica", "B", 120)
                x, y = self.w / 2, self.h / 2
                with self.rotation(35, x=x, y=y):
                    self.text(x - self.get_string_width("VOID") / 2, y + 15, "VOID")
        self.page = last

    def footer(self) -> None:
        self.set_y(-15)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y() - 2, self.w - self.r_margin, self.get_y() - 2)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(*MUTED)
        self.cell(self.epw / 2, 5, pdf_text(self.footer_text), align="L")
        self.cell(self.epw / 2, 5, f"Page {self.page_no()} of {{nb}}", align="R")


def render_invoice_pdf(doc: InvoiceDocument, compress: bool = True) -> bytes:
    """The invoice or credit note `doc` as PDF bytes."""
    shop = doc.shop
    pdf = InvoicePDF(f"{shop.name} - {doc.title} {doc.number}")
    pdf.set_compression(compress)
    pdf.set_title(pdf_text(f"{doc.title} {doc.number}"))
    pdf.set_author(pdf_text(shop.name))
    pdf.set_creator("Workbay")
    pdf.add_page()

    _header(pdf, doc)
    _bill_to_and_summary(pdf, doc)
    _lines(pdf, doc)
    _taxes_and_totals(pdf, doc)
    if doc.payments:
        _payments(pdf, doc)
    _closing(pdf, doc)
    if doc.is_void:
        pdf.mark_void()
    return bytes(pdf.output())


# --- parts of the page ----------------------------------------------------------------------


def _small_caps(pdf: FPDF, text: str) -> None:
    pdf.set_font("Helvetica", "B", 7.5)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 4, pdf_text(text.upper()), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _header(pdf: FPDF, doc: InvoiceDocument) -> None:
    shop = doc.shop
    top = pdf.get_y()
    left_width = pdf.epw * 0.58
    # The shop, top left.
    pdf.set_font("Helvetica", "B", 17)
    pdf.set_text_color(*INK)
    pdf.multi_cell(left_width, 8, pdf_text(shop.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 9)
    pdf.set_text_color(*MUTED)
    details = [line for line in (shop.address or "").splitlines() if line.strip()]
    details += [text for text in (shop.phone, shop.email) if text]
    if shop.tax_id:
        details.append(f"Tax id: {shop.tax_id}")
    for line in details:
        pdf.multi_cell(left_width, 4.5, pdf_text(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    left_bottom = pdf.get_y()

    # The document, top right.
    right_x = pdf.l_margin + left_width
    right_width = pdf.epw - left_width
    pdf.set_xy(right_x, top)
    pdf.set_font("Helvetica", "B", 20)
    pdf.set_text_color(*BRAND)
    pdf.cell(right_width, 9, pdf_text(doc.title.upper()), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    facts = [("Number", doc.number), ("Issued", doc.local(doc.invoice.issued_at))]
    if doc.is_credit_note:
        if doc.credited_invoice is not None:
            facts.append(("Credits invoice", doc.credited_invoice.document_number))
    else:
        facts.append(("Due", doc.local(doc.invoice.due_at)))
    if doc.is_void:
        facts.append(("Voided", doc.local(doc.invoice.voided_at)))
    for label, value in facts:
        pdf.set_x(right_x)
        pdf.set_font("Helvetica", "", 9)
        pdf.set_text_color(*MUTED)
        pdf.cell(right_width * 0.5, 5, pdf_text(label), align="R")
        pdf.set_font("Helvetica", "B", 9)
        pdf.set_text_color(*INK)
        pdf.cell(right_width * 0.5, 5, pdf_text(value), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 6)
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(6)


def _bill_to_and_summary(pdf: FPDF, doc: InvoiceDocument) -> None:
    invoice = doc.invoice
    top = pdf.get_y()
    left_width = pdf.epw * 0.55
    _small_caps(pdf, "Bill to")
    pdf.set_font("Helvetica", "B", 11)
    pdf.set_text_color(*INK)
    pdf.multi_cell(left_width, 5.5, pdf_text(invoice.bill_to_name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 9.5)
    pdf.set_text_color(*MUTED)
    for line in [*(invoice.bill_to_address or "").splitlines(), invoice.bill_to_email or ""]:
        if line.strip():
            pdf.multi_cell(left_width, 4.8, pdf_text(line.strip()), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    left_bottom = pdf.get_y()

    # The figure the customer looks for first, in a shaded box on the right.
    box_x = pdf.l_margin + left_width + 8
    box_width = pdf.epw - left_width - 8
    if doc.is_credit_note:
        label, amount, note = "Credit total", doc.money(-invoice.total), "Taken off the invoice above"
    elif doc.is_void:
        label, amount, note = "Void", doc.money(invoice.total), "This invoice is not payable"
    else:
        payable = doc.position.payable
        label = "Balance due" if payable else "Paid in full"
        amount = doc.money(doc.position.balance if payable else 0)
        note = f"Due by {doc.local(invoice.due_at)}" if payable else "Thank you!"
    pdf.set_fill_color(*SHADE)
    pdf.set_draw_color(*RULE)
    pdf.rect(box_x, top, box_width, 24, style="DF")
    pdf.set_xy(box_x + 4, top + 3)
    pdf.set_font("Helvetica", "B", 7.5)
    pdf.set_text_color(*MUTED)
    pdf.cell(box_width - 8, 4, pdf_text(label.upper()), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "B", 16)
    pdf.set_text_color(*INK)
    pdf.cell(box_width - 8, 9, pdf_text(amount), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 8.5)
    pdf.set_text_color(*MUTED)
    pdf.cell(box_width - 8, 5, pdf_text(note), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_y(max(left_bottom, top + 24) + 8)


def _lines(pdf: FPDF, doc: InvoiceDocument) -> None:
    pdf.set_font("Helvetica", "", 9.5)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    heading = FontFace(emphasis="BOLD", color=MUTED, fill_color=SHADE, size_pt=8)
    job_style = FontFace(emphasis="BOLD", color=INK)
    with pdf.table(
        col_widths=(96, 18, 30, 30),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=heading,
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        line_height=6,
        padding=(1.2, 1.5),
        first_row_as_headings=True,
    ) as table:
        table.row([pdf_text(text) for text in ("DESCRIPTION", "QTY", "UNIT PRICE", "AMOUNT")])
        for group in doc.groups:
            if group.title and (len(doc.groups) > 1 or len(group.lines) > 1):
                row = table.row()
                row.cell(pdf_text(group.title), colspan=3, style=job_style)
                row.cell(pdf_text(doc.money(group.subtotal)), style=job_style, align="RIGHT")
            for line in group.lines:
                description = line.description
                if group.title and len(doc.groups) == 1 and len(group.lines) == 1:
                    description = f"{group.title}: {description}"
                indent = "    " if group.title and (len(doc.groups) > 1 or len(group.lines) > 1) else ""
                table.row(
                    [
                        pdf_text(indent + description),
                        pdf_text(_quantity(line)),
                        pdf_text(doc.money(line.unit_price)),
                        pdf_text(doc.money(line.net_amount)),
                    ]
                )
    pdf.ln(3)


def _quantity(line) -> str:
    text = format_quantity(line.quantity)
    return f"{text} h" if line.kind == "labor" else text


def _taxes_and_totals(pdf: FPDF, doc: InvoiceDocument) -> None:
    """The tax breakdown on the left, the totals on the right, side by side."""
    invoice = doc.invoice
    rows: list[tuple[str, str, bool]] = [("Subtotal", doc.money(invoice.subtotal), False)]
    for bucket in doc.taxes:
        rows.append(
            (f"{category_label(bucket.category)} tax {format_percent(bucket.rate)}", doc.money(bucket.tax), False)
        )
    if not doc.taxes:
        rows.append(("Tax", doc.money(invoice.tax_total), False))
    rows.append(("Total", doc.money(invoice.total), True))
    if not doc.is_credit_note and not doc.is_void:
        if doc.position.credited:
            rows.append(("Credited", doc.money(doc.position.credited), False))
        if invoice.amount_paid:
            rows.append(("Paid", doc.money(invoice.amount_paid), False))
        rows.append(("Balance due", doc.money(doc.position.balance), True))
    row_height = 6.5
    if pdf.will_page_break(max(len(rows) * row_height, 10 + 6 * (len(doc.taxes) + 1))):
        pdf.add_page()
    top = pdf.get_y()

    if doc.taxes:
        _small_caps(pdf, "Tax breakdown")
        pdf.set_font("Helvetica", "", 8.5)
        pdf.set_text_color(*INK)
        heading = FontFace(emphasis="BOLD", color=MUTED, fill_color=SHADE, size_pt=7.5)
        with pdf.table(
            col_widths=(26, 18, 26, 22),
            width=92,
            align="LEFT",
            text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
            headings_style=heading,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            line_height=5,
            padding=(1, 1.5),
        ) as table:
            table.row(["CATEGORY", "RATE", "TAXABLE", "TAX"])
            for bucket in doc.taxes:
                table.row(
                    [
                        pdf_text(category_label(bucket.category)),
                        pdf_text(format_percent(bucket.rate)),
                        pdf_text(doc.money(bucket.base)),
                        pdf_text(doc.money(bucket.tax)),
                    ]
                )
    left_bottom = pdf.get_y()

    label_width, value_width = 46, 34
    x = pdf.w - pdf.r_margin - label_width - value_width
    pdf.set_y(top)
    for label, value, strong in rows:
        pdf.set_x(x)
        if strong:
            pdf.set_draw_color(*RULE)
            pdf.line(x, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.set_font("Helvetica", "B" if strong else "", 10.5 if strong else 9.5)
        pdf.set_text_color(*(INK if strong else MUTED))
        pdf.cell(label_width, row_height, pdf_text(label), align="L")
        pdf.set_text_color(*INK)
        pdf.cell(value_width, row_height, pdf_text(value), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 6)


def _payments(pdf: FPDF, doc: InvoiceDocument) -> None:
    if pdf.will_page_break(8 + 6 * (len(doc.payments) + 1)):
        pdf.add_page()
    _small_caps(pdf, "Payments received")
    pdf.set_font("Helvetica", "", 9)
    pdf.set_text_color(*INK)
    heading = FontFace(emphasis="BOLD", color=MUTED, fill_color=SHADE, size_pt=8)
    with pdf.table(
        col_widths=(35, 30, 60, 35),
        width=160,
        align="LEFT",
        text_align=("LEFT", "LEFT", "LEFT", "RIGHT"),
        headings_style=heading,
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        line_height=5.5,
        padding=(1, 1.5),
    ) as table:
        table.row(["DATE", "METHOD", "REFERENCE", "AMOUNT"])
        for payment in doc.payments:
            table.row(
                [
                    pdf_text(doc.local(payment.received_at)),
                    pdf_text(payment.method.capitalize()),
                    pdf_text(payment.reference or "-"),
                    pdf_text(doc.money(payment.amount)),
                ]
            )
    pdf.ln(5)


def _closing(pdf: FPDF, doc: InvoiceDocument) -> None:
    invoice = doc.invoice
    shop = doc.shop
    if pdf.will_page_break(20):
        pdf.add_page()
    pdf.set_font("Helvetica", "", 9.5)
    pdf.set_text_color(*MUTED)
    if doc.is_void:
        text = f"This {doc.title.lower()} was voided on {doc.local(invoice.voided_at)}: {invoice.void_reason}"
    elif doc.is_credit_note:
        credited = (
            f" invoice {doc.credited_invoice.document_number}" if doc.credited_invoice is not None else " your invoice"
        )
        text = f"This credit note reduces what you owe on{credited}."
    elif doc.position.payable:
        contact = f" Questions? Contact us at {shop.email or shop.phone}." if (shop.email or shop.phone) else ""
        text = (
            f"Please pay {doc.money(doc.position.balance)} by {doc.local(invoice.due_at)} "
            f"and mention {doc.number} with your payment.{contact}"
        )
    else:
        text = "This invoice is paid in full. Thank you for your business!"
    pdf.multi_cell(0, 5, pdf_text(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if not doc.is_void:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 10)
        pdf.set_text_color(*INK)
        pdf.cell(0, 6, pdf_text(f"Thank you for choosing {shop.name}."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
