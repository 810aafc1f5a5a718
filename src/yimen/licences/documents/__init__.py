"""The bureau's documents as PDF: the letters about a case and the e-licence.

Renderers take frozen data and the text to put in the QR code (the document's
verification URL) and return unsigned PDF bytes, ready to be signed.
"""

from yimen.licences.documents.case_letters import LETTER_DOCUMENTS, letter_data_for, letters_of
from yimen.licences.documents.data import LetterData, LetterKind, LicenceData
from yimen.licences.documents.letters import (
    render_correction_notice,
    render_decision,
    render_letter,
    render_receipt,
    render_refusal,
)
from yimen.licences.documents.licence import render_licence

__all__ = [
    "LETTER_DOCUMENTS",
    "LetterData",
    "LetterKind",
    "LicenceData",
    "letter_data_for",
    "letters_of",
    "render_correction_notice",
    "render_decision",
    "render_letter",
    "render_licence",
    "render_receipt",
    "render_refusal",
]
