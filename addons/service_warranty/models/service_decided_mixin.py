"""The mixin behind ``decisions``: see that module for why."""

from odoo import api, models
from odoo.exceptions import AccessError, UserError

from ..decisions import is_deciding


class ServiceDecidedMixin(models.AbstractModel):
    _name = "service.decided.mixin"
    _description = "Fields decided by the product's actions"

    def _decided_fields(self):
        """``{field name: hint}`` of the fields that only actions may write on
        the records of ``self``; the hint names the action, for the error."""
        return {}

    def _decided_create_fields(self):
        """``{field name: allowed values}`` a caller may give at creation;
        any other value of these fields is the actions' to set. ``None`` as
        allowed values refuses the field altogether."""
        return {}

    def _check_decided(self, fnames):
        if self.env.su or is_deciding():
            return
        decided = self._decided_fields()
        wrong = [name for name in fnames if name in decided]
        if wrong:
            self._raise_decided(wrong, decided)

    def _check_decided_create(self, vals_list):
        if self.env.su or is_deciding():
            return
        allowed = self._decided_create_fields()
        wrong = sorted({
            name
            for vals in vals_list
            for name, value in vals.items()
            if name in allowed and (allowed[name] is None or value not in allowed[name])
        })
        if wrong:
            self._raise_decided(wrong, {})

    def _raise_decided(self, names, hints):
        labels = ", ".join(self._fields[name]._description_string(self.env) for name in names)
        how = "; ".join(dict.fromkeys(hints[name] for name in names if hints.get(name)))
        raise AccessError(
            self.env._(
                "%(fields)s of %(records)s cannot be written directly: the product decides them "
                "through its actions. %(how)s",
                fields=labels,
                records=self._description,
                how=how,
            )
        )

    def _check_can(self, action, label):
        """Refuse ``action`` (the ``label`` the user knows it by) on the
        records whose ``can_<action>`` field says it is not possible, naming
        them and the state of the first; the caller's write access is checked
        too, as every action writes its records. The one state machine of a
        model is its ``can_<action>`` fields: buttons and this check read them.
        Models with more to say (the RMA's verdicts) extend it."""
        wrong = self.filtered(lambda record: not record[f"can_{action}"])
        if wrong:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(self.env._(
                "%(action)s is not possible for %(records)s (state %(state)s).",
                action=label, records=", ".join(wrong.mapped(self._rec_name or "display_name")),
                state=states[wrong[0].state],
            ))
        self.check_access("write")

    def _mail_composer_action(self, template_xmlid, title):
        """Odoo's mail composer for these records with the template
        ``template_xmlid`` (rendered in each customer's language, its reports
        attached), each e-mail logged in its record's chatter. One record: the
        e-mail is shown before it goes; several: one e-mail per record."""
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        context = {
            "default_model": self._name,
            "default_res_ids": self.ids,
            "default_composition_mode": "comment",
            "default_template_id": template.id if template else False,
            "default_email_layout_xmlid": "mail.mail_notification_layout_with_responsible_signature",
            "email_notification_allow_footer": True,
            "hide_mail_template_management_options": True,
        }
        if len(self) == 1:
            context["force_email"] = True
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    def write(self, vals):
        self._check_decided(vals)
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_decided_create(vals_list)
        return super().create(vals_list)
