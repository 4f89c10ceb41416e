"""tests/pipeline/ is being folded into tests/inference/ (see tests/README.md); until its last
file moves, its fixtures are the inference ones."""

from tests.inference.conftest import haar, recognizer_factory  # noqa: F401
from tests.support.settings import settings_for  # noqa: F401
