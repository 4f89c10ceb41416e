// English words of the dashboard. Keys are shared with ko.js; a function entry builds a phrase
// whose grammar depends on its values (plurals, a pick's reasons).

const MOOD = { anger: "angry", fear: "fearful", happiness: "happy", sadness: "sad",
               surprise: "surprised", neutral: "neutral" };
const ENERGY = { calm: "calm", relaxed: "relaxed", steady: "steady", lively: "lively",
                 energetic: "energetic" };
const TONE = { sad: "sad", slightly_sad: "slightly sad", neutral: "", slightly_happy: "slightly happy",
               happy: "happy" };
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const cap = (text) => (text ? text[0].toUpperCase() + text.slice(1) : text);

/** The director's reasons (docs/mqtt.md `why`) as the sentence the device logs, capitalised. */
function reason(why) {
  const feel = [ENERGY[why.energy] || why.energy, TONE[why.tone] ?? why.tone].filter(Boolean).join(", ");
  const mood = MOOD[why.mood] || why.mood;
  let text = why.mode === "lift"
    ? `${feel} track for your ${mood} mood — lift step ${why.step} of ${why.steps}`
    : `${feel} track to match your ${mood} mood`;
  if (why.feedback === "liked") text += `; you liked it before when ${mood}`;
  else if (why.feedback === "skipped") text += `; you skipped it before when ${mood}`;
  return cap(text);
}

export const EN = {
  "lang.other": "ko", "lang.switch": "한국어", "lang.switchAria": "한국어로 보기",
  "emotion.anger": "anger", "emotion.fear": "fear", "emotion.happiness": "happiness",
  "emotion.sadness": "sadness", "emotion.surprise": "surprise", "emotion.neutral": "neutral",

  "status.connecting": "Connecting…", "status.reconnecting": "Reconnecting…",
  "status.unreachable": "Broker unreachable, retrying",
  "status.notAllowedRead": "Not allowed to read this device", "status.connected": "Connected",
  "status.signInToWatch": "Sign in to watch", "status.refused": "Sign-in refused",
  "status.brokerError": "Broker error: {detail}", "status.offline": "No network",
  "status.live": "Live", "status.deviceOffline": "Device offline",
  "status.deviceStopped": "Device stopped", "status.waitingDevice": "Waiting for the device…",
  "status.dashboardUnreachable": "Dashboard unreachable",
  "conn.title": "Connection to the broker and the device",
  "account.signIn": "Sign in", "account.signedInAria": "Signed in as {user}: change or sign out",

  "live.title": "Right now", "live.waiting": "Waiting…", "live.noFace": "No face",
  "live.faces": ({ n }) => plural(n, "face", "faces"), "live.barsAria": "Confidence per emotion",
  "live.privacy": "Camera off (privacy)", "live.stale": "No recent reading",
  "mood.title": "Mood", "mood.none": "No mood yet", "mood.sure": "{pct}% sure",
  "mood.since": "since {at} ({ago})", "time.min": "{n} min", "time.h": "{n} h",

  "player.title": "Playing", "player.paused": "paused", "player.pause": "Pause",
  "player.resume": "Resume", "player.next": "Next", "player.like": "Like",
  "player.likeAria": "I like this track in this mood", "player.dislike": "Not this",
  "player.dislikeAria": "Not this track in this mood: skip it", "player.volume": "Volume",
  "player.mode": "Mode", "player.modeAria": "Music mode",
  "mode.match": "Match", "mode.lift": "Lift", "mode.off": "Off",
  "quiet.label": "Quiet hours", "quiet.hint": " no new music, soft", "quiet.from": "Quiet from",
  "quiet.to": "Quiet until",
  "privacy.label": "Privacy", "privacy.on": "Camera off — privacy mode", "privacy.off": "Camera on",
  "privacy.aria": "Privacy mode",
  "library.scanning": "Analysing your music: {done} of {total} tracks ({pct} %)",
  "track.reason": reason,
  "track.next": ({ title, mood }) => `Next up: ${title} (for your ${MOOD[mood] || mood} mood)`,

  "people.title": "Who's listening", "people.noEmbeddings": "needs an emotion model with embeddings",
  "people.listener": "Listener", "people.listenerHint": " calibrates the camera to you",
  "people.nobody": "Nobody in particular", "people.correctAria": "That's not how I feel. I'm…",
  "people.correct": "Not right? I'm…", "people.correctionsAria": "Corrections (tap to undo)",
  "people.undo": "Undo this correction", "people.teach": "Teach it your face",
  "people.forget": "Forget this person",
  "people.forgetConfirm": "Forget {name}? This deletes their profile.",
  "people.smallPrint": "A profile keeps numbers the model derives from your face (never pictures), "
    + "on this device only; forgetting deletes them.",
  "enrol.title": "Teach it your face",
  "enrol.intro": "Sit alone in front of the speaker, about an arm's length away. It asks for six "
    + "expressions, a few seconds each: under a minute in all.",
  "enrol.name": "Your name", "enrol.cancel": "Cancel", "enrol.close": "Close",
  "enrol.retry": "Try again", "enrol.start": "Start",
  "enrol.badName": "A name of letters and digits (spaces, - and _ allowed), up to 32",
  "enrol.saving": "Saving…", "enrol.failed": "That did not work",
  "enrol.countdown": ({ emotion, n }) => `Show ${emotion} in ${n}…`,
  "enrol.now": ({ emotion }) => `Show ${emotion} now — hold it`,
  "enrol.done": "Done: {name}'s profile is active",

  "timeline.title": "Timeline", "range.hour": "Hour", "range.day": "Day",
  "timeline.aria": "Mood timeline", "timeline.empty": "No mood recorded in this period.",
  "timeline.signIn": "Sign in to see the history.",
  "days.title": "Last 7 days", "days.mostly": "mostly {mood}",
  "days.changes": ({ n }) => plural(n, "mood change", "mood changes"),
  "days.tracks": ({ n }) => plural(n, "track", "tracks"), "days.nothing": "nothing recorded",
  "legend.aria": "Mood colours", "stats.up": "up {n} h",

  "toast.noAnswer": "The device did not answer",
  "toast.liked": "Noted: more like this in this mood",
  "toast.disliked": "Noted: skipping, and not this one in this mood",
  "toast.setTimes": "Set both times first",
  "error.notAllowed": "Not allowed: sign in as a user that may control the device",
  "error.notConnected": "Not connected to the broker",

  "signin.title": "Sign in to the broker",
  "signin.intro": "Reading works without signing in where the broker allows it. Controls need a "
    + "user allowed to send commands. Saved on this phone only.",
  "signin.user": "User", "signin.pass": "Password", "signin.out": "Sign out",
  "signin.cancel": "Cancel", "signin.save": "Sign in",
};
