"""The E-step and M-step update equations of the chosen covariance type, typeset (Qt rich
text: italics, sub- and superscripts, Greek, fractions as stacked cells), in the lecture's
notation — C_ik, μ_k, Σ_k or σ_k², π_k — with the step just done highlighted."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

HIGHLIGHT = "#fff3c4"


def _frac(num: str, den: str) -> str:
    """A fraction: numerator over a rule over denominator."""
    return (
        "<table cellspacing='0' cellpadding='0' style='display:inline'>"
        f"<tr><td align='center' style='border-bottom:1px solid #333; padding:0 3px'>{num}</td>"
        f"</tr><tr><td align='center' style='padding:0 3px'>{den}</td></tr></table>"
    )


def _row(*cells: str) -> str:
    """One equation as a row of cells (a fraction is a block of its own in Qt's rich text)."""
    return (
        "<table cellspacing='0' cellpadding='2'><tr>"
        + "".join(f"<td valign='middle'>{c}</td>" for c in cells)
        + "</tr></table>"
    )


SUM_I = "&sum;<sub><i>i</i>=1</sub><sup><i>N</i></sup>"
SUM_J = "&sum;<sub><i>j</i>=1</sub><sup><i>K</i></sup>"
N = "&#x1D4A9;"  # script N, the Gaussian density


def e_step_html() -> str:
    """C_ik = π_k N(x_i | μ_k, Σ_k) / Σ_j π_j N(x_i | μ_j, Σ_j)."""
    num = f"<i>&pi;<sub>k</sub></i> {N}(<b><i>x</i></b><sub><i>i</i></sub> | <i>&mu;<sub>k</sub></i>, <i>&Sigma;<sub>k</sub></i>)"  # noqa: E501
    den = f"{SUM_J} <i>&pi;<sub>j</sub></i> {N}(<b><i>x</i></b><sub><i>i</i></sub> | <i>&mu;<sub>j</sub></i>, <i>&Sigma;<sub>j</sub></i>)"  # noqa: E501
    return _row("<i>C<sub>ik</sub></i>", "=", _frac(num, den))


def m_step_html(covariance_type: str) -> str:
    """N_k, π_k, μ_k and the covariance update of ``covariance_type``."""
    x_i = "<b><i>x</i></b><sub><i>i</i></sub>"
    dev = f"({x_i} &minus; <i>&mu;<sub>k</sub></i>)"
    rows = [
        _row("<i>N<sub>k</sub></i>", "=", f"{SUM_I} <i>C<sub>ik</sub></i>"),
        _row("<i>&pi;<sub>k</sub></i>", "=", _frac("<i>N<sub>k</sub></i>", "<i>N</i>")),
        _row("<i>&mu;<sub>k</sub></i>", "=", _frac("1", "<i>N<sub>k</sub></i>"),
             f"{SUM_I} <i>C<sub>ik</sub></i> {x_i}"),
    ]  # fmt: skip
    if covariance_type == "full":
        rows.append(_row("<i>&Sigma;<sub>k</sub></i>", "=", _frac("1", "<i>N<sub>k</sub></i>"),
                         f"{SUM_I} <i>C<sub>ik</sub></i> {dev}{dev}<sup>T</sup> + &epsilon;<i>I</i>"))  # fmt: skip # noqa: E501
    elif covariance_type == "tied":
        rows.append(_row("<i>&Sigma;</i>", "=", _frac("1", "<i>N</i>"),
                         f"&sum;<sub><i>k</i></sub> {SUM_I} <i>C<sub>ik</sub></i> {dev}{dev}<sup>T</sup> + &epsilon;<i>I</i>"))  # fmt: skip # noqa: E501
    elif covariance_type == "diag":
        rows.append(_row("<i>&sigma;</i><sub><i>kd</i></sub><sup>2</sup>", "=",
                         _frac("1", "<i>N<sub>k</sub></i>"),
                         f"{SUM_I} <i>C<sub>ik</sub></i> (<i>x<sub>id</sub></i> &minus; <i>&mu;<sub>kd</sub></i>)<sup>2</sup> + &epsilon;"))  # fmt: skip # noqa: E501
    else:
        rows.append(_row("<i>&sigma;</i><sub><i>k</i></sub><sup>2</sup>", "=",
                         _frac("1", "<i>d</i> <i>N<sub>k</sub></i>"),
                         f"{SUM_I} <i>C<sub>ik</sub></i> &#x2016;{x_i} &minus; <i>&mu;<sub>k</sub></i>&#x2016;<sup>2</sup> + &epsilon;"))  # fmt: skip # noqa: E501
    return "".join(rows)


class EquationsPanel(QWidget):
    """Both updates, the one just done on a highlighted background."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidget(self.label)
        scroll.setWidgetResizable(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(scroll)
        self.covariance_type = "full"
        self.phase = ""
        self.show_equations("full", "")

    def show_equations(self, covariance_type: str, phase: str) -> None:
        """Typeset the updates of ``covariance_type``; highlight ``phase`` ('E' or 'M')."""
        if (covariance_type, phase) == (self.covariance_type, phase) and self.label.text():
            if phase == self.phase:
                return
        self.covariance_type, self.phase = covariance_type, phase

        def block(title: str, body: str, on: bool) -> str:
            bg = f" bgcolor='{HIGHLIGHT}'" if on else ""
            mark = " — just done" if on else ""
            return (
                f"<table width='100%' cellpadding='4'{bg}><tr><td>"
                f"<b>{title}</b><span style='color:#8a6d00'>{mark}</span>{body}</td></tr></table>"
            )

        self.label.setText(
            block("E-step: the responsibilities of the current parameters", e_step_html(),
                  phase == "E")
            + block(f"M-step ({covariance_type}): new parameters from the responsibilities",
                    m_step_html(covariance_type), phase == "M")
            + "<p style='color:#555'>ε is reg_covar. Full EM iterations do both at once; tick "
            "<i>E and M as half-steps</i> to step through them one at a time.</p>"
        )  # fmt: skip

    @property
    def text(self) -> str:
        return self.label.text()
