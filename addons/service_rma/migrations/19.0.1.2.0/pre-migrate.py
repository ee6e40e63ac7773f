"""19.0.1.2.0: clean names before the API freezes.

- The model of loans, ``service.loaner``, becomes ``service.loan`` (pool units
  stay ``stock.lot.is_loaner``); the RMA's ``loaner_ids`` become ``loan_ids``.
- On ``service.rma`` one meaning each: ``remedy`` is what the RMA grants
  (was ``coverage``), ``remedy_override`` the administrator's override (was
  ``coverage_override``), ``policy_remedy`` / ``policy_covered`` /
  ``policy_reason_code`` / ``policy_reason_params`` what the policy alone
  gives (were ``verdict_*``).

Renamed in place before the module loads, so every loan keeps its id, its
chatter, followers, activities, attachments and stock moves, and every RMA
its remedy and its tracking history.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists, rename_column, table_exists

OLD_MODEL, NEW_MODEL = "service.loaner", "service.loan"
OLD_TABLE, NEW_TABLE = "service_loaner", "service_loan"
RMA_FIELDS = (
    ("coverage", "remedy"),
    ("coverage_override", "remedy_override"),
    ("verdict_remedy", "policy_remedy"),
    ("verdict_covered", "policy_covered"),
    ("verdict_reason_code", "policy_reason_code"),
    ("verdict_reason_params", "policy_reason_params"),
)
ONE2MANY_FIELDS = (("service.rma", "loaner_ids", "loan_ids"),)


def migrate(cr, version):
    if not version or not table_exists(cr, OLD_TABLE):
        return
    _rename_table(cr)
    _rename_model_references(cr)
    for old, new in RMA_FIELDS:
        if column_exists(cr, "service_rma", old):
            rename_column(cr, "service_rma", old, new)
        _rename_field(cr, "service.rma", old, new)
    for model, old, new in ONE2MANY_FIELDS:
        _rename_field(cr, model, old, new)
    _rename_in_views(cr, [*RMA_FIELDS, *((old, new) for _model, old, new in ONE2MANY_FIELDS)])


def _rename_table(cr):
    cr.execute(SQL("ALTER TABLE %s RENAME TO %s", SQL.identifier(OLD_TABLE), SQL.identifier(NEW_TABLE)))
    cr.execute(SQL("ALTER SEQUENCE IF EXISTS %s RENAME TO %s",
                   SQL.identifier(f"{OLD_TABLE}_id_seq"), SQL.identifier(f"{NEW_TABLE}_id_seq")))
    # Constraints (their indexes follow) and the other indexes keep Odoo's
    # names, so that the upgrade finds them instead of adding copies.
    cr.execute(SQL(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND conname LIKE %s",
        NEW_TABLE, f"{OLD_TABLE}%",
    ))
    for (name,) in cr.fetchall():
        cr.execute(SQL("ALTER TABLE %s RENAME CONSTRAINT %s TO %s", SQL.identifier(NEW_TABLE),
                       SQL.identifier(name), SQL.identifier(NEW_TABLE + name[len(OLD_TABLE):])))
    cr.execute(SQL("SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname LIKE %s",
                   NEW_TABLE, f"{OLD_TABLE}%"))
    for (name,) in cr.fetchall():
        cr.execute(SQL("ALTER INDEX %s RENAME TO %s", SQL.identifier(name),
                       SQL.identifier(NEW_TABLE + name[len(OLD_TABLE):])))
    cr.execute(SQL(
        "UPDATE ir_model_constraint SET name = %s || substr(name, %s) WHERE name LIKE %s",
        NEW_TABLE, len(OLD_TABLE) + 1, f"{OLD_TABLE}%",
    ))


def _rename_model_references(cr):
    """Every column that names a model (``model``, ``res_model``,
    ``model_name``, ``relation``...) and says ``service.loaner``."""
    cr.execute(SQL(
        """
        SELECT c.table_name, c.column_name
          FROM information_schema.columns c
          JOIN information_schema.tables t
            ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
         WHERE c.table_schema = current_schema()
           AND c.data_type IN ('character varying', 'text')
           AND c.column_name IN ('model', 'res_model', 'model_name', 'relation', 'model_id', 'parent_model')
        """
    ))
    for table, column in cr.fetchall():
        cr.execute(SQL("UPDATE %s SET %s = %s WHERE %s = %s", SQL.identifier(table), SQL.identifier(column),
                       NEW_MODEL, SQL.identifier(column), OLD_MODEL))
    # The add-on's own XML ids: model_service_loaner, field_service_loaner__*,
    # selection__service_loaner__*, service_loaner_view_form, access_service_loaner_*...
    cr.execute(SQL(
        "UPDATE ir_model_data SET name = replace(name, %s, %s) WHERE module = 'service_rma' AND name LIKE %s",
        OLD_TABLE, NEW_TABLE, f"%{OLD_TABLE}%",
    ))


def _rename_field(cr, model, old, new):
    cr.execute(SQL("UPDATE ir_model_fields SET name = %s WHERE model = %s AND name = %s", new, model, old))
    prefix = model.replace(".", "_")
    cr.execute(SQL(
        """
        UPDATE ir_model_data
           SET name = replace(name, %(old_infix)s, %(new_infix)s)
         WHERE module = 'service_rma'
           AND (name = %(field_xmlid)s OR name LIKE %(selection_xmlids)s)
        """,
        old_infix=f"__{old}", new_infix=f"__{new}",
        field_xmlid=f"field_{prefix}__{old}",
        selection_xmlids=f"selection__{prefix}__{old}\\_\\_%",
    ))


def _rename_in_views(cr, renames):
    """The views in the database still name the old fields until the upgrade
    reloads them, and Odoo checks each view with those that inherit it: an
    old inheriting view naming ``coverage`` would fail the reload of the new
    form. Renamed in every view of ``service.rma`` (integrators' too), whole
    words only, so ``coverage`` does not touch ``coverage_override``."""
    for old, new in renames:
        cr.execute(SQL(
            """
            UPDATE ir_ui_view
               SET arch_db = regexp_replace(arch_db::text, %(pattern)s, %(new)s, 'g')::jsonb
             WHERE model = 'service.rma' AND arch_db::text ~ %(pattern)s
            """,
            pattern=f"\\m{old}\\M", new=new,
        ))
