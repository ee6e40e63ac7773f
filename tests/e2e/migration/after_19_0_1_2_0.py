# Run in ``odoo shell`` after the upgrade to 19.0.1.2.0: the same figures
# under the new names, then the draft loan is handed over and a new loan
# made, to show the renamed model works on its old records.
import json

env = globals()["env"]  # odoo shell's
loans = env["service.loan"].search([("lot_id.name", "like", "MIG-LOAN-")], order="id")
rmas = env["service.rma"].search([("lot_id.name", "in", ("MIG-01", "MIG-02", "MIG-03"))], order="id")
state = {
    "loans": [
        {"id": loan.id, "state": loan.state, "lot": loan.lot_id.name, "rma": loan.rma_id.id,
         "out": loan.picking_out_id.id, "back": loan.picking_back_id.id, "due": str(loan.date_due),
         "messages": sorted(loan.message_ids.ids), "followers": sorted(loan.message_partner_ids.ids)}
        for loan in loans
    ],
    "rmas": [
        {"id": rma.id, "remedy": rma.remedy, "override": rma.remedy_override, "covered": rma.covered,
         "policy_remedy": rma.policy_remedy, "policy_covered": rma.policy_covered,
         "reason": rma.policy_reason_code, "loans": sorted(rma.loan_ids.ids),
         "tracking": sorted(rma.message_ids.tracking_value_ids.ids)}
        for rma in rmas
    ],
}
env.cr.execute("SELECT to_regclass('service_loaner') IS NULL, to_regclass('service_loan') IS NOT NULL")
old_gone, new_there = env.cr.fetchone()
leftovers = env["ir.model"].search_count([("model", "=", "service.loaner")])
draft = loans.filtered(lambda loan: loan.state == "draft")
picking = draft.picking_out_id
picking.action_assign()
picking.move_ids.picked = True
picking.button_validate()
with_customer = loans.filtered(lambda loan: loan.lot_id.name == "MIG-LOAN-2")
print("STATE", json.dumps(state))
print("CHECKS", json.dumps({
    "old_table_gone": old_gone, "new_table": new_there, "old_model_left": leftovers,
    "handed_over_after_upgrade": draft.state,
    "links": sorted(set(loans.picking_out_id.move_ids.service_loan_id.ids)),
    "chatter": with_customer.message_ids.mapped("body"),
}))
env.cr.rollback()
