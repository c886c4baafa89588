"""Flask-WTF forms; every label and message is translated lazily."""

from buddy.forms.account import (
    CodeForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from buddy.forms.profile import (
    CoordinatorNewcomerForm,
    NewcomerProfileForm,
    NewcomerSignupForm,
    VolunteerProfileForm,
    VolunteerSignupForm,
    newcomer_data,
    profile_values,
    volunteer_data,
)

__all__ = [
    "CodeForm", "CoordinatorNewcomerForm", "LanguageForm", "LoginForm", "NewcomerProfileForm",
    "NewcomerSignupForm", "PasswordChangeForm", "ResetPasswordForm", "ResetRequestForm",
    "VolunteerProfileForm", "VolunteerSignupForm", "newcomer_data", "profile_values",
    "volunteer_data",
]
