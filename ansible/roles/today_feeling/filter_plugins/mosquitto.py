"""Jinja filter that writes mosquitto password-file hashes on the controller.

mosquitto_passwd salts randomly, so running it on every converge would rewrite the file and
restart the broker each time. Deriving the salt from the host and user name makes the entry
a pure function of its inputs: the template only changes when a password does.
"""

from __future__ import annotations

import base64
import hashlib

#: PBKDF2 rounds; mosquitto reads the count from the entry, its own tool uses 101.
ITERATIONS = 10000
SALT_BYTES = 12


def mosquitto_hash(password: str, host: str, user: str, iterations: int = ITERATIONS) -> str:
    """A mosquitto 2.x ``$7$`` (PBKDF2-HMAC-SHA512) entry for one password."""
    seed = f"today-feeling/mosquitto/{host}/{user}".encode()
    salt = hashlib.sha256(seed).digest()[:SALT_BYTES]
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    encode = base64.b64encode
    return f"$7${iterations}${encode(salt).decode()}${encode(digest).decode()}"


class FilterModule:
    """Registers the filter under the role."""

    def filters(self) -> dict[str, object]:
        return {"mosquitto_hash": mosquitto_hash}
