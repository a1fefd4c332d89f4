// The book's own words in each edition: the site's chrome around the notebooks (whose text comes
// from the notebooks themselves, notebooks/ and notebooks/ko/). Functions take HTML-escaped values.
// `dir` is where an edition's pages sit in the book, `up` the way back from there to its root.
const editions = {
  en: {
    lang: "en",
    name: "English",
    dir: "",
    up: "",
    notebooks: "notebooks/",
    siteTitle: "Autoencoders in TypeScript",
    intro: "A course on autoencoders in TypeScript notebooks, from the linear autoencoder and its equivalence with PCA onwards. Every number below was computed by the notebook it belongs to, on MNIST or Fashion-MNIST, in the run this book was built from.",
    fullMode: "These pages show a full-mode run: the settings each notebook states as its defaults.",
    otherMode: (mode) => `These pages show a <strong>${mode}-mode</strong> run (fewer epochs, smaller subsets): its numbers are not the course's results.`,
    runFinished: (date) => `Run finished ${date}.`,
    columns: ["#", "Notebook", "Results it recorded"],
    ranIn: (seconds) => `ran in ${seconds} s`,
    failed: "failed",
    runFailed: (why) => `This notebook's run failed: ${why}.`,
    seeOutputs: "see the outputs below",
    notebook: "Notebook",
    previous: "Previous",
    next: "Next",
    footer: "Built from the executed notebooks of a headless course run. Charts are interactive (vega-embed); without scripts their saved PNG shows.",
  },
  ko: {
    lang: "ko",
    name: "한국어",
    dir: "ko/",
    up: "../",
    notebooks: "notebooks/ko/",
    siteTitle: "TypeScript로 배우는 오토인코더",
    intro: "TypeScript 노트북으로 오토인코더를 배우는 강좌입니다. 선형 오토인코더와 PCA가 같다는 사실에서 출발합니다. 아래의 모든 수치는 이 책을 만든 실행에서 해당 노트북이 MNIST 또는 Fashion-MNIST로 직접 계산한 값입니다.",
    fullMode: "이 페이지는 전체 모드(full mode) 실행을 보여 줍니다. 각 노트북이 기본값으로 밝힌 설정입니다.",
    otherMode: (mode) => `이 페이지는 <strong>${mode} 모드</strong> 실행을 보여 줍니다(에포크가 적고 데이터의 일부만 씁니다). 여기의 수치는 강좌의 결과가 아닙니다.`,
    runFinished: (date) => `실행 완료: ${date}.`,
    columns: ["#", "노트북", "기록된 결과"],
    ranIn: (seconds) => `실행 시간 ${seconds}초`,
    failed: "실패",
    runFailed: (why) => `이 노트북의 실행이 실패했습니다: ${why}.`,
    seeOutputs: "아래 출력을 보십시오",
    notebook: "노트북",
    previous: "이전",
    next: "다음",
    footer: "헤드리스로 실행한 강좌 노트북으로 만들었습니다. 코드와 프로그램 출력(출력된 판정, 차트 제목)은 영어판과 같으며 영어로 남아 있습니다. 차트는 상호작용이 가능하며(vega-embed), 스크립트가 꺼져 있으면 저장된 PNG가 보입니다.",
  },
};

module.exports = { editions };
