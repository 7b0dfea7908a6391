from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from hwaas.i18n import lazy_gettext as _l
from hwaas.services.passwords import password_problems


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address.")), Email(_l("Enter an e-mail address like name@example.com.")),
        Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=200)])


class CodeForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app"), validators=[
        DataRequired(_l("Enter the 6-digit code from your authenticator app.")), Length(max=12)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(_l("Enter your current password."))])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a new password."))])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the new password.")),
        EqualTo("new_password", _l("The two new passwords are not the same."))])

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_new_password(self, field):
        problems = password_problems(field.data or "", self.user.email, self.user.name)
        if problems:
            raise ValidationError(" ".join(problem.message for problem in problems))


class EnableTwoFactorForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app"), validators=[
        DataRequired(_l("Enter the 6-digit code your app shows after scanning.")), Length(max=12)])


class DisableTwoFactorForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password to turn this off."))])


class PartnerSecurityForm(FlaskForm):
    totp_required = BooleanField(_l("Require a second factor (authenticator app) for every user of this partner"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Email(_l("Enter an e-mail address like name@example.com.")), Length(max=254)])


class NewPasswordForm(FlaskForm):
    """Choose a password through a reset or invitation link."""
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a new password.")),
                                                            Length(max=200)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the new password.")),
        EqualTo("password", _l("The two passwords are not the same."))])


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), validators=[DataRequired(_l("Choose a language."))])

    def __init__(self, languages: dict[str, str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [SelectChoice(code, name) for code, name in languages.items()]
