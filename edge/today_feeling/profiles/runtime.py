"""The daemon's profiles at run time: the active adapter, corrections, guided enrolment.

Threads: ``calibrate``/``observe`` run on the analysis thread for every classified face and
only read one reference or append to a short buffer; requests (MQTT worker) and control
changes do the file work under a lock. A profile that cannot be used (missing, corrupt, made
with another model) is reported once and the daemon runs uncalibrated.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from today_feeling.config.profiles import ProfilesSettings
from today_feeling.domain.analysis import Face
from today_feeling.domain.controls import Controls, ControlState
from today_feeling.domain.emotions import EMOTIONS
from today_feeling.domain.personal import PersonalAdapter
from today_feeling.errors import ProfileError, ProfileMissingError
from today_feeling.events import EnrolmentProgress, EventBus, ProfileRequest, ProfilesChanged
from today_feeling.profiles.calibrated import load_usable
from today_feeling.profiles.enrolment import EnrolmentSession
from today_feeling.profiles.profile import Profile, Sample
from today_feeling.profiles.quality import rejection
from today_feeling.profiles.store import ProfileStore

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]
#: Recent primary-face embeddings kept in memory for corrections (never written unless used).
RECENT_MAX = 256


class Personalisation:
    """Calibrates faces with the active person's adapter; owns their profile's changes."""

    def __init__(self, settings: ProfilesSettings, store: ProfileStore, *, model_key: str,
                 model_sha256: str, centre: FloatArray | None, bus: EventBus, controls: Controls,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self._s, self._store, self._bus, self._controls = settings, store, bus, controls
        self._model = (model_key, model_sha256)
        self._centre = centre
        self._now = wall_clock
        self._lock = threading.RLock()
        self._adapter: PersonalAdapter | None = None
        self._active: Profile | None = None
        self._recent: deque[tuple[float, FloatArray]] = deque(maxlen=RECENT_MAX)
        self._session: EnrolmentSession | None = None
        self._message = ""

    # -- lifecycle (Service) ---------------------------------------------------------
    def start(self) -> None:
        self._bus.subscribe(ProfileRequest, self._on_request)
        self._controls.subscribe(self._on_controls)
        self._activate(self._controls.state.profile)

    def stop(self) -> None:
        with self._lock:
            self._session, self._recent = None, deque(maxlen=RECENT_MAX)

    @property
    def available(self) -> bool:
        return self._centre is not None

    # -- analysis thread -------------------------------------------------------------
    def calibrate(self, probs: FloatArray, embedding: FloatArray, *, primary: bool) -> FloatArray:
        """The active person's calibrated probabilities; ``probs`` itself when none applies."""
        adapter = self._adapter
        if adapter is None or (not primary and self._s.group_policy == "primary"):
            return probs
        return adapter.apply(probs, embedding)

    def observe(self, face: Face, faces_in_view: int, crop: npt.NDArray[np.uint8],
                embedding: FloatArray) -> None:
        """The listener's face of this frame: remembered briefly for corrections and enrolment."""
        now = self._now()
        self._recent.append((now, embedding))
        session = self._session
        if session is not None and session.state == "collecting":
            reason = rejection(face, faces_in_view, crop, self._s.enrol_min_face_px)
            with self._lock:
                session.offer(now, embedding, reason)

    def tick(self) -> None:
        """Close an enrolment step whose time is up (the daemon calls it several times a second)."""
        session = self._session
        if session is None:
            return
        with self._lock:
            changed = session.tick(self._now())
        if changed:
            self._publish_enrolment(session)

    # -- control changes and requests -----------------------------------------------
    def _on_controls(self, old: ControlState, new: ControlState) -> None:
        if old.profile != new.profile:
            self._activate(new.profile)

    def _on_request(self, request: ProfileRequest) -> None:
        handlers: dict[str, Callable[[str], None]] = {
            "correct": self._correct, "undo": self._undo, "delete": self._delete,
            "enrol_begin": self._enrol_begin, "enrol_capture": self._enrol_capture,
            "enrol_finish": lambda _v: self._enrol_finish(), "enrol_cancel": lambda _v: self._enrol_cancel(),
        }
        handler = handlers.get(request.action)
        if handler is None:
            logger.warning("profile request %r ignored: unknown action", request.action)
            return
        with self._lock:
            try:
                handler(request.value)
            except (ProfileError, ValueError, OSError) as err:
                self._tell(f"{request.action} refused: {err}", logging.WARNING)
                self._report_refusal(request, str(err))

    def _activate(self, name: str) -> None:
        with self._lock:
            self._adapter, self._active = None, None
            if name:
                try:
                    profile = self._load_checked(name)
                    self._use(profile)
                    self._tell(f"profile {name} active ({len(profile.samples)} samples)")
                except (ProfileError, ValueError) as err:
                    self._tell(f"running uncalibrated: {err}", logging.ERROR)
                    self._controls.update_if({"profile": name}, profile="")
            self.publish()

    def _load_checked(self, name: str) -> Profile:
        return load_usable(self._store, name, *self._model, self._centre)

    def _use(self, profile: Profile) -> None:
        assert self._centre is not None
        self._active, self._adapter = profile, profile.adapter(self._centre)

    def _save_active(self, profile: Profile) -> None:
        self._store.save(profile)
        self._use(profile)
        self.publish()

    def _fresh_active(self) -> Profile:
        """The active profile as it is on disk now: ``profile delete`` or ``profile enroll`` from
        a shell may have changed it, and writing back the copy in memory would undo that."""
        if self._active is None:
            raise ValueError("no profile is active: choose who is listening first")
        name = self._active.name
        try:
            return self._load_checked(name)
        except ProfileMissingError:
            self._adapter, self._active = None, None
            self._controls.update(profile="")
            raise ValueError(f"profile {name} was deleted; nothing kept") from None

    def _correct(self, emotion: str) -> None:
        if emotion not in EMOTIONS:
            raise ValueError(f"unknown emotion {emotion!r}")
        active = self._fresh_active()
        since = self._now() - self._s.correction_window_s
        recent = [(t, e) for t, e in list(self._recent) if t >= since]
        if not recent:
            raise ValueError(f"no face seen in the last {self._s.correction_window_s:g} s")
        batch = f"c{int(self._now())}-{secrets.token_hex(2)}"
        index = EMOTIONS.index(emotion)
        samples = [Sample(t, index, "correction", batch, e) for t, e in recent]
        self._message = f"learned: {len(samples)} faces are {emotion} (undo: {batch})"
        self._save_active(active.add(samples, self._s.max_samples_per_emotion))
        logger.info("profile %s: correction %s adds %d faces as %s", active.name, batch,
                    len(samples), emotion)

    def _undo(self, batch: str) -> None:
        active = self._fresh_active()
        batches = [c["id"] for c in active.corrections()]
        target = batches[-1] if batch in ("", "last") and batches else batch
        if target not in batches:
            raise ValueError(f"no correction {batch!r} in profile {active.name}")
        self._message = f"correction {target} undone"
        self._save_active(active.without_batch(target))

    def _delete(self, name: str) -> None:
        removed = self._store.delete(name)
        if self._active is not None and self._active.name == name:
            self._adapter, self._active = None, None
            self._controls.update(profile="")
        self._message = f"profile {name} deleted" if removed else f"no profile {name}"
        self.publish()

    def _enrol_begin(self, name: str) -> None:
        if self._centre is None:
            raise ValueError("this emotion model has no embedding: profiles are unavailable")
        self._store.path(name)  # validates the name before anything is collected
        self._session = EnrolmentSession(name, self._s.enrol_seconds, f"e{int(self._now())}")
        self._publish_enrolment(self._session)

    def _enrol_capture(self, emotion: str) -> None:
        session = self._require_session()
        if self._controls.state.privacy:
            raise ValueError("privacy mode is on, so the camera is closed: turn it off to enrol")
        session.capture(emotion, self._now())
        self._publish_enrolment(session)

    def _enrol_finish(self) -> None:
        session = self._require_session()
        if not session.samples:
            raise ValueError("nothing collected yet")
        try:
            base = self._store.load(session.name)
            base.check_model(*self._model)
        except ProfileError:
            base = Profile(session.name, *self._model, created=self._now())
        new = [Sample(t, EMOTIONS.index(emotion), "enrol", session.batch, e)
               for emotion, taken in session.samples.items() for t, e in taken]
        profile = base.add(new, self._s.max_samples_per_emotion)
        self._store.save(profile)
        session.state, session.message = "saved", f"profile {session.name} saved and active"
        self._publish_enrolment(session)
        self._session = None
        if self._controls.state.profile == session.name:
            self._activate(session.name)
        else:
            self._controls.update(profile=session.name)

    def _enrol_cancel(self) -> None:
        session = self._require_session()
        session.state, session.message = "cancelled", "enrolment cancelled: nothing kept"
        self._publish_enrolment(session)
        self._session = None

    def _require_session(self) -> EnrolmentSession:
        if self._session is None:
            raise ValueError("no enrolment in progress (send 'begin NAME' first)")
        return self._session

    # -- telling people ----------------------------------------------------------------
    def _report_refusal(self, request: ProfileRequest, reason: str) -> None:
        """Whoever sent the request hears why it was refused, on the topic they watch: an
        enrolment step on ``enrol`` (state "refused", even with no session yet), the rest on
        ``profiles``."""
        if not request.action.startswith("enrol"):
            self.publish()
            return
        session = self._session
        name = session.name if session is not None else request.value
        view = session.view() if session is not None else {"emotion": "", "ends_at": None,
                                                          "collected": {}, "done": []}
        self._bus.publish(EnrolmentProgress({**view, "name": name, "state": "refused",
                                             "message": reason}, self._now()))

    def _tell(self, message: str, level: int = logging.INFO) -> None:
        logger.log(level, "%s", message)
        self._message = message

    def publish(self) -> None:
        """Announce the household's profiles (names and counts only)."""
        summaries = []
        for name in self._store.names():
            try:
                summaries.append(self._store.load(name).summary())
            except ProfileError as err:
                summaries.append({"name": name, "error": str(err)})
        self._bus.publish(ProfilesChanged(self._active.name if self._active else "", tuple(summaries),
                                          self.available, self._message, self._now()))

    def _publish_enrolment(self, session: EnrolmentSession) -> None:
        self._bus.publish(EnrolmentProgress(session.view(), self._now()))
