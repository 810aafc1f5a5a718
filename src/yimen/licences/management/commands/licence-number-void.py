"""``yimen licence-number-void 编号 --reason 原因 --by 用户名``: void a licence number whose
issuing stopped part-way (`yimen check-integrity` names it), so that every number is
accounted for. The void is audited under the named approver's account."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yimen.errors import DomainError
from yimen.licences import services
from yimen.subjects.models import Account


class Command(BaseCommand):
    help = _("作废制证中断、既未制发也未作废的证照编号。")

    def add_arguments(self, parser) -> None:
        parser.add_argument("number", help=_("证照编号"))
        parser.add_argument("--reason", required=True, help=_("作废原因"))
        parser.add_argument("--by", required=True, help=_("作废人的用户名（须有审批权限）"))

    def handle(self, *args, number: str, reason: str, by: str, **options) -> None:
        actor = Account.objects.filter(username=by, is_active=True).first()
        if actor is None:
            raise CommandError(_("没有名为“%(u)s”的有效账号。") % {"u": by})
        try:
            services.licence_number_void(number=number, actor=actor, reason=reason)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(_("证照编号 %(n)s 已作废。") % {"n": number})
