// fourgood: the token the user typed in the task pane (xlwings Server's "custom" auth provider).
globalThis.getAuth = async function () {
  const token = (globalThis.localStorage && localStorage.getItem("fourgood-token")) || "";
  return { token: token ? "Bearer " + token : "", provider: "custom" };
};
