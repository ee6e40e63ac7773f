from . import (
    service_advisory,
    service_advisory_notice,
    service_checklist,
    service_contract,
    service_contract_plan,
    service_contract_report,
    service_rma,
    service_visit,
    stock_lot,
)
