"""Supervision (电子监察): rule violations found as cases move, and random spot checks.

A spot check records how it was drawn (the seed, the population filter, how
many cases the population held) so anyone can draw again and get the same
cases; each drawn case then gets a supervisor's finding.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yimen.cases.models import Case

__all__ = ["SpotCheck", "SpotCheckCase", "Violation"]


class Violation(models.Model):
    class Kind(models.TextChoices):
        REPEATED_CORRECTION = "repeated_correction", _("再次要求补正（违反一次性告知）")
        LATE_INTAKE = "late_intake", _("逾期未作受理决定（视为受理）")
        LATE_DECISION = "late_decision", _("超过法定时限作出决定")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("办件")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    # Tells repeated violations of one kind apart: the correction notice's number.
    ref = models.PositiveSmallIntegerField(default=0)
    at = models.DateTimeField(_("发生时间"))
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("违规记录")
        verbose_name_plural = _("违规记录")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "ref"], name="oversight_violation_unique"
            )
        ]
        indexes = [
            models.Index(fields=["at"], name="oversight_violation_at"),
            models.Index(fields=["kind", "at"], name="oversight_violation_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}#{self.ref}"

    def describe(self) -> str:
        """The facts behind the violation, in a sentence."""
        found = self.details
        if self.kind == self.Kind.REPEATED_CORRECTION:
            return gettext("第%(n)s次补正告知") % {"n": found.get("notice", self.ref)}
        if self.kind == self.Kind.LATE_INTAKE:
            return gettext("受理日期按收件日计为 %(d)s") % {"d": found.get("accepted_on", "")}
        return gettext("法定期限 %(d)s，超期 %(n)s 个工作日") % {
            "d": found.get("legal_deadline", ""),
            "n": found.get("days_late", ""),
        }


class SpotCheck(models.Model):
    """One random draw of completed cases for review (随机抽查)."""

    seed = models.PositiveBigIntegerField(_("随机种子"))
    scope = models.JSONField(_("抽样范围"))
    requested = models.PositiveIntegerField(_("计划抽取数"))
    population = models.PositiveIntegerField(_("符合条件的办件数"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("抽查人"),
    )
    drawn_at = models.DateTimeField(_("抽取时间"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("随机抽查")
        verbose_name_plural = _("随机抽查")
        ordering = ["-drawn_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} seed={self.seed}"


class SpotCheckCase(models.Model):
    class Result(models.TextChoices):
        PENDING = "pending", _("待检查")
        OK = "ok", _("无问题")
        PROBLEM = "problem", _("发现问题")

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="cases")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="+", verbose_name=_("办件")
    )
    position = models.PositiveIntegerField(_("抽取顺序"))
    result = models.CharField(
        _("检查结论"), max_length=10, choices=Result.choices, default=Result.PENDING
    )
    finding = models.TextField(_("发现的问题"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("检查人"),
    )
    reviewed_at = models.DateTimeField(_("检查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查办件")
        verbose_name_plural = _("抽查办件")
        ordering = ["spot_check", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["spot_check", "case"], name="oversight_spot_check_case_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.spot_check_id}/{self.position}"
