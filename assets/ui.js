// ampstream's own script for the web UI: copy buttons. Everything else is htmx or plain forms.
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
