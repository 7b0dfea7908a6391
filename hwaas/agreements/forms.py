from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class UploadForm(FlaskForm):
    # What the file is, is decided from its content by the service, never from its name.
    file = FileField("Signed agreement", validators=[FileRequired("Choose the signed agreement to upload.")])
