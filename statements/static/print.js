// The print button of a document page (the policy forbids inline scripts).
document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
