from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from hwaas.i18n import lazy_gettext as _l


class UploadForm(FlaskForm):
    # What the file is, is decided from its content by the service, never from its name.
    file = FileField(_l("Signed agreement"), validators=[FileRequired(_l("Choose the signed agreement to upload."))])
