// ampstream's own script for the web UI: copy buttons, and Enter in a field that names its button.
// Everything else is htmx or plain forms.
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
  if (button === null) return;
  const source = document.getElementById(button.getAttribute('data-copy'));
  if (source === null) return;
  const text = 'value' in source ? source.value : source.textContent;
  const done = () => {
    button.textContent = 'Copied';
    setTimeout(() => (button.textContent = 'Copy'), 2000);
  };
  if (navigator.clipboard !== undefined && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => selectText(source));
  } else {
    selectText(source);
  }
});

function selectText(source) {
  if ('select' in source) source.select();
}

// Enter in a field with data-enter-presses presses that button (the property picker's Add) instead of
// submitting the whole form, which would save the sync. htmx's own key filters would need eval, which
// the Content-Security-Policy forbids.
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' || event.isComposing || !(event.target instanceof HTMLInputElement)) return;
  const buttonId = event.target.getAttribute('data-enter-presses');
  if (buttonId === null) return;
  const button = document.getElementById(buttonId);
  if (button === null) return;
  event.preventDefault();
  button.click();
});
