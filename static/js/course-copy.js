// Copy buttons of the course page, e.g. the join link. Without the Clipboard API (plain http on
// another host, old browsers) the button stays hidden and the read-only field is copied by hand.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  if (!field || !navigator.clipboard || !window.isSecureContext) return;
  button.hidden = false;
  const label = button.textContent;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      button.textContent = button.dataset.copied;
      setTimeout(() => { button.textContent = label; }, 2000);
    } catch {
      field.select();
    }
  });
});
