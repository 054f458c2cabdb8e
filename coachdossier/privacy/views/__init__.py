"""Privacy pages for management (registry, retention, legal holds, registers, hand-over), the
auditor (checkpoints, security report, log review) and coaches (de-identified exports), one
module per topic. Client data is reached only through clients.access."""

from .coaches import (
    cv_download,
    cv_file,
    cv_upload,
    fee_new,
    profile_edit,
    profile_pdf,
    profile_pdf_file,
    registry_list,
)
from .deidentified import research, supervision, supervision_filename, umbrella_approval
from .handovers import handover, handover_deliver, handover_download, handover_list, handover_package
from .holds import legal_hold_new, legal_hold_release, retention
from .processing import dpia_document, dpia_download, dpia_new, processing_pdf, processing_register, processor_new
from .registers import (
    breach_client,
    breach_close,
    breach_detail,
    breach_new,
    breaches,
    confidentiality_new,
    confidentiality_register,
)
from .security import checkpoints, checkpoints_download, log_review, overview, security_report, security_report_pdf

__all__ = [
    "overview", "checkpoints", "checkpoints_download", "security_report", "security_report_pdf", "log_review",
    "registry_list", "profile_edit", "fee_new", "cv_upload", "cv_download", "profile_pdf", "cv_file", "profile_pdf_file",
    "retention", "legal_hold_new", "legal_hold_release",
    "handover_list", "handover", "handover_download", "handover_package", "handover_deliver",
    "confidentiality_register", "confidentiality_new",
    "breaches", "breach_new", "breach_detail", "breach_client", "breach_close",
    "processing_register", "processing_pdf", "processor_new", "dpia_new", "dpia_download", "dpia_document",
    "supervision", "supervision_filename", "research", "umbrella_approval",
]
