from . import (
    res_partner,
    res_users,
    service_report_attempt,
    service_request,
    service_request_kpi,
    service_rma,
    service_team,
    service_visit,
    service_visit_billing,
    service_zone,
    stock_lot,
    stock_move,
)
