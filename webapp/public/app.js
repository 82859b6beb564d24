// Placeholder until the Mini App issue: shows whether the server and its database answer.
(async () => {
  const dot = document.getElementById("health-dot");
  const text = document.getElementById("health-text");
  try {
    const response = await fetch("/healthz", { cache: "no-store" });
    const health = await response.json();
    const ok = response.ok && health.status === "ok";
    dot.className = "dot " + (ok ? "ok" : "down");
    text.textContent = ok ? "Server online" : "Server degraded (database: " + health.database + ")";
  } catch {
    dot.className = "dot down";
    text.textContent = "Server unreachable";
  }
})();
