"""Projects, who belongs to them, and their taxonomy."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from annotator.dsp import limits
from annotator.options import loop_option_errors, project_check_errors
from annotator.roles import LEAD_ROLES, WRITE_ROLES, Role  # noqa: F401  (re-exported)

# The annotation page's own keys that a hotkey could spell (frontend/src/hotkeys.ts: the letters of
# LETTERS, and "0" of NAMED, which resets the zoom): a tag hotkey on one of them would never fire
# there, so it is refused here (a test keeps the lists equal).
PAGE_KEYS = frozenset("snxukpahe0")

color_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}\Z", "A colour is # and six hex digits, e.g. #ffcc00."
)
hotkey_validator = RegexValidator(r"^[A-Za-z0-9]\Z", "A hotkey is one letter or digit.")


class Project(models.Model):
    """An annotation project: its audio/view settings and the settings of its loop."""

    class FreqScale(models.TextChoices):
        LINEAR = "linear"
        MEL = "mel"

    class AnnotationMode(models.TextChoices):
        BOX = "box", "Time–frequency boxes"
        INTERVAL = "interval", "Time intervals"

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # clips
    clip_length_s = models.FloatField(default=1.0, validators=[MinValueValidator(0.01)])
    clip_overlap_s = models.FloatField(default=0.0, validators=[MinValueValidator(0.0)])
    context_s = models.FloatField(default=0.1, validators=[MinValueValidator(0.0)])
    annotation_mode = models.CharField(
        max_length=10, choices=AnnotationMode, default=AnnotationMode.BOX
    )
    # views
    fmin_hz = models.FloatField(default=0.0, validators=[MinValueValidator(0.0)])
    fmax_hz = models.FloatField(null=True, blank=True, help_text="Empty: up to Nyquist.")
    # Limits of the view settings live in one place (dsp.limits), checked by clean() and the views.
    window_s = models.FloatField(
        default=0.002, help_text="STFT window, s (with an automatic window: the longest it gets)."
    )
    auto_window = models.BooleanField(
        default=True, help_text="The window shrinks as the view zooms in (sharper short calls)."
    )
    overlap = models.FloatField(default=0.75)
    window_type = models.CharField(
        max_length=20, choices=[(w, w) for w in limits.WINDOW_TYPES], default="hann"
    )
    sharpen = models.CharField(
        max_length=12,
        choices=[(v, v) for v in limits.SHARPEN],
        default="none",
        help_text="reassigned: FM sweeps drawn as thin lines; multitaper: less speckle.",
    )
    wavelet_w0 = models.FloatField(
        default=limits.W0_PRESETS["fm"],
        help_text=f"Scalogram bandwidth (Morlet w0): {limits.W0_PRESETS['fm']:g} for FM calls, "
        f"{limits.W0_PRESETS['cf']:g} for constant-frequency calls (narrow in frequency).",
    )
    auto_levels = models.BooleanField(
        default=True, help_text="Levels from each view's percentiles instead of db_min/db_max."
    )
    freq_scale = models.CharField(max_length=10, choices=FreqScale, default=FreqScale.LINEAR)
    colormap = models.CharField(max_length=20, default="viridis")
    db_min = models.FloatField(default=-90.0)
    db_max = models.FloatField(default=-20.0)
    time_expansion = models.FloatField(default=10.0, validators=[MinValueValidator(1.0)])
    # queue and loop
    lease_minutes = models.PositiveIntegerField(default=30, validators=[MinValueValidator(1)])
    double_annotation_fraction = models.FloatField(
        default=0.1, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    batch_size = models.PositiveIntegerField(default=20, validators=[MinValueValidator(1)])
    audit_fraction = models.FloatField(
        default=0.15, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    retrain_every = models.PositiveIntegerField(
        default=50, help_text="Retrain after this many new labels (0: only on request)."
    )
    low_water_minutes = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(24 * 60.0)],
        help_text="Refill the queue when its open tasks hold less work than this (minutes at the "
        "annotators' measured pace). Empty: automatic, from how long the loop's trainings take.",
    )
    sampling_strategy = models.CharField(max_length=40, default="hybrid")
    sampling_params = models.JSONField(default=dict, blank=True)  # typed by annotator.options

    # The fields that are the project's settings (the API's "settings", the settings page).
    SETTINGS_FIELDS = (
        "clip_length_s",
        "clip_overlap_s",
        "context_s",
        "fmin_hz",
        "fmax_hz",
        "window_s",
        "auto_window",
        "overlap",
        "window_type",
        "sharpen",
        "wavelet_w0",
        "auto_levels",
        "freq_scale",
        "colormap",
        "db_min",
        "db_max",
        "time_expansion",
        "annotation_mode",
        "lease_minutes",
        "double_annotation_fraction",
        "batch_size",
        "audit_fraction",
        "retrain_every",
        "low_water_minutes",
        "sampling_strategy",
        "sampling_params",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.fmax_hz is not None and self.fmax_hz <= self.fmin_hz:
            raise ValidationError({"fmax_hz": "Must be above fmin_hz."})
        if self.clip_overlap_s >= self.clip_length_s:
            raise ValidationError({"clip_overlap_s": "Must be shorter than the clip length."})
        errors: dict = self.view_settings_errors(vars(self))
        loop_errors = loop_option_errors(self.sampling_params)
        if loop_errors:
            errors["sampling_params"] = [f"{k}: {v}" if k else v for k, v in loop_errors.items()]
        else:
            errors.update(project_check_errors(self))
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def view_settings_errors(values: dict) -> dict[str, str]:
        """The view settings among ``values`` (a project's fields) checked by the rule the view
        requests follow (`dsp.limits`), with errors under the project's field names."""
        errors = limits.view_settings_errors(
            window_s=values["window_s"],
            overlap=values["overlap"],
            window_type=values["window_type"],
            sharpen=values["sharpen"],
            w0=values["wavelet_w0"],
        )
        if "w0" in errors:
            errors["wavelet_w0"] = errors.pop("w0")
        if not values["db_max"] > values["db_min"]:
            errors["db_max"] = "Must be above db_min."
        return errors

    def role_of(self, user) -> str | None:
        """The user's role here, or None for non-members. Superusers act as leads.

        Looked up once per instance and user: a request checks the role several times (the
        view's permission, the domain function), and each check would otherwise be a query.
        """
        if not user.is_authenticated:
            return None
        if user.is_superuser:
            return Role.LEAD
        roles = self.__dict__.setdefault("_roles", {})
        if user.pk not in roles:
            roles[user.pk] = (
                self.memberships.filter(user=user).order_by().values_list("role", flat=True).first()
            )
        return roles[user.pk]

    def remember_role(self, user, role: str | None) -> None:
        """Record a role already read with this row (``access.project_for`` joins it in)."""
        self.__dict__.setdefault("_roles", {})[user.pk] = role


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role, default=Role.ANNOTATOR)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "project"], name="one_membership_per_project")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.project} ({self.role})"


class Tag(models.Model):
    """One term of a project's taxonomy, e.g. species = Myotis myotis."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tags")
    key = models.CharField(max_length=60, default="species")
    value = models.CharField(max_length=200)
    display_name = models.CharField(max_length=200, blank=True)
    hotkey = models.CharField(max_length=1, blank=True, validators=[hotkey_validator])
    color = models.CharField(max_length=7, default="#ffcc00", validators=[color_validator])

    class Meta:
        ordering = ["project", "key", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "key", "value"], name="unique_tag_per_project"
            ),
            models.UniqueConstraint(
                fields=["project", "hotkey"],
                condition=~models.Q(hotkey=""),
                name="unique_hotkey_per_project",
                violation_error_message="Another tag of this project has this hotkey.",
            ),
            # Also refused by the database: the colour goes into pages' styles, and commands and
            # imports write tags without full_clean.
            models.CheckConstraint(
                condition=models.Q(color__regex=r"^#[0-9a-fA-F]{6}$"), name="tag_color_is_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or f"{self.key}: {self.value}"

    @property
    def label(self) -> str:
        return self.display_name or self.value

    def clean(self) -> None:
        # The page matches hotkeys without case, so "M" and "m" are one key: store one spelling
        # (before the per-project unique constraint is checked, which full_clean does after this).
        self.hotkey = self.hotkey.lower()
        if self.hotkey in PAGE_KEYS:
            raise ValidationError(
                {"hotkey": f"{self.hotkey!r} is one of the annotation page's own keys."}
            )
