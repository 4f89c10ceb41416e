// 대시보드의 한국어 문구. Keys as in en.js. Korean joins adjectives by conjugating them
// ("차분하고 조금 밝은 곡"), so the energy words come in a final and a joining form.

const MOOD = { anger: "화난", fear: "두려운", happiness: "행복한", sadness: "슬픈", surprise: "놀란",
               neutral: "평온한" };
const WHEN = { anger: "화났을 때", fear: "두려울 때", happiness: "행복할 때", sadness: "슬플 때",
               surprise: "놀랐을 때", neutral: "평온할 때" };
const ENERGY = { calm: "차분한", relaxed: "편안한", steady: "무난한", lively: "경쾌한", energetic: "신나는" };
const ENERGY_AND = { calm: "차분하고", relaxed: "편안하고", steady: "무난하고", lively: "경쾌하고",
                     energetic: "신나고" };
const TONE = { sad: "슬픈", slightly_sad: "조금 슬픈", neutral: "", slightly_happy: "조금 밝은", happy: "밝은" };
// The expression asked for during enrolment, with its object particle.
const FACE = { anger: "화난 표정을", fear: "겁먹은 표정을", happiness: "웃는 표정을",
               sadness: "슬픈 표정을", surprise: "놀란 표정을", neutral: "무표정을" };

/** 곡을 고른 이유: "슬픈 기분을 달래 줄 차분하고 조금 밝은 곡 — 기분 전환 5단계 중 2단계". */
function reason(why) {
  const tone = TONE[why.tone] ?? "";
  const feel = tone ? `${ENERGY_AND[why.energy] || why.energy} ${tone}` : ENERGY[why.energy] || why.energy;
  const mood = MOOD[why.mood] || why.mood;
  let text = why.mode === "lift"
    ? `${mood} 기분을 달래 줄 ${feel} 곡 — 기분 전환 ${why.steps}단계 중 ${why.step}단계`
    : `${mood} 기분에 맞춘 ${feel} 곡`;
  if (why.feedback === "liked") text += ` · ${WHEN[why.mood] || ""} 좋아요를 눌렀던 곡`;
  else if (why.feedback === "skipped") text += ` · ${WHEN[why.mood] || ""} 건너뛰었던 곡`;
  return text;
}

export const KO = {
  "lang.other": "en", "lang.switch": "English", "lang.switchAria": "View in English",
  "emotion.anger": "화남", "emotion.fear": "두려움", "emotion.happiness": "행복",
  "emotion.sadness": "슬픔", "emotion.surprise": "놀람", "emotion.neutral": "평온",

  "status.connecting": "연결 중…", "status.reconnecting": "다시 연결 중…",
  "status.unreachable": "브로커에 연결할 수 없어 다시 시도 중",
  "status.notAllowedRead": "이 기기를 볼 권한이 없습니다", "status.connected": "연결됨",
  "status.signInToWatch": "보려면 로그인하세요", "status.refused": "로그인이 거부되었습니다",
  "status.brokerError": "브로커 오류: {detail}", "status.offline": "네트워크 없음",
  "status.live": "실시간", "status.deviceOffline": "기기 꺼짐",
  "status.deviceStopped": "기기 중지됨", "status.waitingDevice": "기기를 기다리는 중…",
  "status.dashboardUnreachable": "대시보드에 연결할 수 없음",
  "conn.title": "브로커와 기기 연결 상태",
  "account.signIn": "로그인", "account.signedInAria": "{user}(으)로 로그인됨: 바꾸거나 로그아웃",

  "live.title": "지금", "live.waiting": "기다리는 중…", "live.noFace": "얼굴 없음",
  "live.faces": ({ n }) => `얼굴 ${n}개`, "live.barsAria": "감정별 확신도",
  "live.privacy": "카메라 꺼짐 (사생활 보호)", "live.stale": "최근 인식 없음",
  "mood.title": "기분", "mood.none": "아직 기분 없음", "mood.sure": "확신도 {pct}%",
  "mood.since": "{at}부터 ({ago})", "time.min": "{n}분", "time.h": "{n}시간",

  "player.title": "재생 중", "player.paused": "일시정지됨", "player.pause": "멈춤",
  "player.resume": "재생", "player.next": "다음", "player.like": "좋아요",
  "player.likeAria": "이 기분에 이 곡이 좋아요", "player.dislike": "별로",
  "player.dislikeAria": "이 기분에는 이 곡 말고: 건너뛰기", "player.volume": "음량",
  "player.mode": "모드", "player.modeAria": "음악 모드",
  "mode.match": "기분 맞춤", "mode.lift": "기분 전환", "mode.off": "끄기",
  "quiet.label": "조용한 시간", "quiet.hint": " 새 음악 없이, 작게", "quiet.from": "조용한 시간 시작",
  "quiet.to": "조용한 시간 끝",
  "privacy.label": "사생활 보호", "privacy.on": "카메라 꺼짐 — 사생활 보호 모드",
  "privacy.off": "카메라 켜짐", "privacy.aria": "사생활 보호 모드",
  "library.scanning": "음악 분석 중: {total}곡 중 {done}곡 ({pct} %)",
  "track.reason": reason,
  "track.next": ({ title, mood }) => `다음 곡: ${title} (${MOOD[mood] || mood} 기분에 맞춰)`,

  "people.title": "누가 듣고 있나요", "people.noEmbeddings": "임베딩을 내는 감정 모델이 필요합니다",
  "people.listener": "듣는 사람", "people.listenerHint": " 카메라를 이 사람에게 맞춥니다",
  "people.nobody": "특정한 사람 없음", "people.correctAria": "제 기분은 그게 아니에요. 저는…",
  "people.correct": "틀렸나요? 저는…", "people.correctionsAria": "고친 내역 (누르면 취소)",
  "people.undo": "이 고침 취소", "people.teach": "내 얼굴 가르치기",
  "people.forget": "이 사람 잊기",
  "people.forgetConfirm": "{name} 님을 잊을까요? 프로필이 삭제됩니다.",
  "people.smallPrint": "프로필에는 모델이 얼굴에서 뽑아낸 숫자만 담기며(사진은 담기지 않습니다) "
    + "이 기기에만 저장됩니다. 잊기를 누르면 삭제됩니다.",
  "enrol.title": "내 얼굴 가르치기",
  "enrol.intro": "스피커 앞에 혼자, 팔 길이쯤 떨어져 앉으세요. 여섯 가지 표정을 몇 초씩 "
    + "부탁드립니다. 모두 1분이 채 걸리지 않아요.",
  "enrol.name": "이름", "enrol.cancel": "취소", "enrol.close": "닫기",
  "enrol.retry": "다시 하기", "enrol.start": "시작",
  "enrol.badName": "이름은 글자와 숫자로 32자까지 (공백, -, _ 사용 가능)",
  "enrol.saving": "저장 중…", "enrol.failed": "잘 되지 않았어요",
  "enrol.countdown": ({ code, n }) => `${n}초 뒤 ${FACE[code] || code} 지어 주세요…`,
  "enrol.now": ({ code }) => `지금 ${FACE[code] || code} 지어 주세요 — 그대로 유지`,
  "enrol.done": "완료: {name} 님의 프로필이 적용되었습니다",

  "timeline.title": "타임라인", "range.hour": "1시간", "range.day": "하루",
  "timeline.aria": "기분 타임라인", "timeline.empty": "이 기간에 기록된 기분이 없습니다.",
  "timeline.signIn": "기록을 보려면 로그인하세요.",
  "days.title": "최근 7일", "days.mostly": "주로 {mood}",
  "days.changes": ({ n }) => `기분 변화 ${n}번`, "days.tracks": ({ n }) => `${n}곡`,
  "days.nothing": "기록 없음", "legend.aria": "기분별 색", "stats.up": "가동 {n}시간",

  "toast.noAnswer": "기기가 응답하지 않았습니다",
  "toast.liked": "알겠어요: 이 기분에 이런 곡을 더 틀게요",
  "toast.disliked": "알겠어요: 건너뛰고, 이 기분에는 이 곡을 빼 둘게요",
  "toast.setTimes": "먼저 시작과 끝 시각을 정하세요",
  "error.notAllowed": "권한 없음: 기기를 조작할 수 있는 사용자로 로그인하세요",
  "error.notConnected": "브로커에 연결되어 있지 않습니다",

  "signin.title": "브로커 로그인",
  "signin.intro": "브로커가 허용하면 로그인하지 않아도 볼 수 있습니다. 조작하려면 명령을 보낼 수 "
    + "있는 사용자로 로그인하세요. 이 휴대폰에만 저장됩니다.",
  "signin.user": "사용자", "signin.pass": "비밀번호", "signin.out": "로그아웃",
  "signin.cancel": "취소", "signin.save": "로그인",
};
