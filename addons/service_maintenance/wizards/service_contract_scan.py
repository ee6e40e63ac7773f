from odoo import fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

SCAN_STATUSES = [
    ("added", "Added"),
    ("already", "Already covered"),
    ("other_customer", "Another customer's"),
    ("other_company", "Another company's"),
    ("not_found", "Not found"),
]
# The contract states whose units may still change (as the form allows).
OPEN_CONTRACT_STATES = ("draft", "running")


class ServiceContractScan(models.TransientModel):
    """Units into a contract by scanning their labels: one scan after another
    in the text field (a label's QR URL, its token or the serial number, one
    per line, as a scanner types them), then 'Add the units'. Each code is
    looked up by the unit's own rules (``stock.lot._find_by_service_code``,
    what the repair shop's scan uses); each answer is listed, the units found
    are added in one write, and the field is emptied for the next scans."""

    _name = "service.contract.scan"
    _description = "Scan units into a maintenance contract"

    contract_id = fields.Many2one("service.contract", required=True, readonly=True, ondelete="cascade")
    codes = fields.Text(
        string="Scans", help="Scan each unit's QR label, or type its serial number, one per line."
    )
    line_ids = fields.One2many("service.contract.scan.line", "wizard_id", string="Results", readonly=True)
    added_count = fields.Integer(compute="_compute_counts", string="Units added")
    refused_count = fields.Integer(compute="_compute_counts", string="Codes not added")

    def _compute_counts(self):
        for wizard in self:
            added = wizard.line_ids.filtered(lambda line: line.status == "added")
            wizard.added_count = len(added)
            wizard.refused_count = len(wizard.line_ids) - len(added)

    def action_add_units(self):
        """Look each scan up, add the units of the contract's customer that
        it does not cover yet (one write), list what became of each code."""
        self.ensure_one()
        contract = self.contract_id
        if contract.state not in OPEN_CONTRACT_STATES:
            raise UserError(self.env._(
                "%(contract)s is %(state)s: units are added to draft or running contracts only.",
                contract=contract.display_name,
                state=dict(contract._fields["state"]._description_selection(self.env))[contract.state],
            ))
        contract.check_access("write")
        codes = [code.strip() for code in (self.codes or "").splitlines() if code.strip()]
        if not codes:
            raise UserError(self.env._("Scan a unit's QR label or type its serial number first."))
        Lot = self.env["stock.lot"].with_company(contract.company_id)
        covered = set(contract.lot_ids.ids)
        lines, added = [], Lot.browse()
        for code in codes:
            lot = Lot._find_by_service_code(code)
            status = self._scan_status(lot, covered)
            if status == "added":
                added |= lot
                covered.add(lot.id)
            lines.append(self._prepare_line_vals(code, lot, status))
        if added:
            contract.write({"lot_ids": [Command.link(lot.id) for lot in added]})
            contract.message_post(body=self.env._(
                "Added by scanning: %(serials)s.", serials=", ".join(added.mapped("name")),
            ))
        self.write({"codes": False, "line_ids": [Command.create(vals) for vals in lines]})
        return {
            "type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
            "view_mode": "form", "target": "new", "name": self.env._("Scan units"),
        }

    def _scan_status(self, lot, covered):
        """What a scan does to the contract: the unit it found is added, or
        the reason it is not."""
        contract = self.contract_id
        if not lot:
            return "not_found"
        if lot.company_id and lot.company_id != contract.company_id:
            return "other_company"
        if lot.id in covered:
            return "already"
        owner = lot.sudo().warranty_id.commercial_partner_id
        if owner and owner != contract.commercial_partner_id:
            return "other_customer"
        return "added"

    def _prepare_line_vals(self, code, lot, status):
        contract = self.contract_id
        serial = lot.name
        messages = {
            "added": lambda: self.env._(
                "%(serial)s (%(product)s) added.", serial=serial, product=lot.product_id.display_name,
            ),
            "already": lambda: self.env._(
                "%(serial)s is already covered by %(contract)s: not added twice.",
                serial=serial, contract=contract.name,
            ),
            "other_customer": lambda: self.env._(
                "%(serial)s belongs to %(owner)s, not to %(customer)s: not added.",
                serial=serial, owner=lot.sudo().warranty_id.commercial_partner_id.display_name,
                customer=contract.commercial_partner_id.display_name,
            ),
            "other_company": lambda: self.env._(
                "%(serial)s is a unit of %(company)s, not of %(contract_company)s: not added.",
                serial=serial, company=lot.company_id.name, contract_company=contract.company_id.name,
            ),
            "not_found": lambda: self.env._(
                "No unit matches %(code)s: scan its QR label or type its serial number.", code=code[:80],
            ),
        }
        return {"code": code[:200], "lot_id": lot.id, "status": status, "message": messages[status]()}


class ServiceContractScanLine(models.TransientModel):
    _name = "service.contract.scan.line"
    _description = "One scan into a maintenance contract"
    _order = "id"

    wizard_id = fields.Many2one("service.contract.scan", required=True, ondelete="cascade")
    code = fields.Char(string="Scanned", readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Unit", readonly=True)
    status = fields.Selection(SCAN_STATUSES, readonly=True)
    message = fields.Char(string="Result", readonly=True)
