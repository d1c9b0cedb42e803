import pytest

from narrascope.components.language import LanguageDetector
from narrascope.schema import Document


@pytest.fixture(scope="module")
def detector():
    return LanguageDetector()


@pytest.mark.parametrize("text,code", [
    ("The government announced new sanctions against Moscow on Tuesday.", "en"),
    ("Правительство объявило о новых санкциях против Москвы во вторник.", "ru"),
    ("Правителството обяви нови санкции срещу Москва във вторник.", "bg"),
    ("O governo anunciou novas sanções contra Moscovo na terça-feira.", "pt"),
    ("सरकार ने मंगलवार को मास्को के खिलाफ नए प्रतिबंधों की घोषणा की।", "hi"),
    ("El gobierno anunció nuevas sanciones contra Moscú el martes.", "other"),
    ("Уряд оголосив нові санкції проти Москви у вівторок.", "other"),
])
def test_detects_supported_languages_and_other(detector, text, code):
    assert detector(Document(text=text)).language == code


def test_given_language_is_kept(detector):
    doc = Document(text="Some English text about the war.", language="pt", meta={"language_given": True})
    assert detector(doc).language == "pt"
    doc = Document(text="Some English text.", language="de", meta={"language_given": True})
    assert detector(doc).language == "other"


def test_text_without_letters(detector):
    assert detector(Document(text="12345 ... 678")).language == "other"
