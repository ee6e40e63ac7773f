"""19.0.1.1.0: service transfers are found from their moves.

The moves of the transfers made before this version get the link to their
RMA or loan and their kind, as new transfers have from the start, so that a
receipt or a return made before the upgrade still moves its RMA on when it is
validated after it.
"""

from odoo.tools import SQL
from odoo.tools.sql import table_exists

LINKS = (
    ("service_rma", "receipt_picking_id", "service_rma_id", "receipt"),
    ("service_rma", "return_picking_id", "service_rma_id", "return"),
    ("service_rma", "exchange_picking_id", "service_rma_id", "exchange"),
    ("service_loaner", "picking_out_id", "service_loan_id", "loan_out"),
    ("service_loaner", "picking_back_id", "service_loan_id", "loan_back"),
)


def migrate(cr, version):
    if not version:
        return
    for old_table, picking_column, link_column, kind in LINKS:
        # service_loaner is already service_loan when 19.0.1.2.0's pre-migrate ran
        table = old_table
        if old_table == "service_loaner" and not table_exists(cr, old_table):
            table = "service_loan"
        cr.execute(SQL(
            """
            UPDATE stock_move move
               SET %(link)s = document.id, service_kind = %(kind)s
              FROM %(table)s document
             WHERE move.picking_id = document.%(picking)s
               AND move.service_kind IS NULL
            """,
            link=SQL.identifier(link_column),
            kind=kind,
            table=SQL.identifier(table),
            picking=SQL.identifier(picking_column),
        ))
