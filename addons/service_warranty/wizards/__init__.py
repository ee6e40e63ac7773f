from . import service_warranty_amend, service_warranty_issue, service_warranty_void
