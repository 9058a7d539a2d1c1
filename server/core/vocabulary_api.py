"""``GET /api/v1/vocabulary``: roles, permissions and every enumeration with its labels, as data.

No token needed: nothing in it is secret, and a client needs its labels before anyone signs in.
"""

from server.core import vocabulary
from server.core.blueprint import Blueprint
from server.core.schemas import VocabularySchema

bp = Blueprint("vocabulary", __name__)


@bp.get("/vocabulary")
@bp.doc(security=[])
@bp.response(200, VocabularySchema)
def vocabulary_data():
    """Roles, who may do what, and every enumeration's codes with Japanese and English labels."""
    return vocabulary.as_data()
