// The preview's copy buttons for the 公众号 editor (included once per WeChat rendition; runs once).
// 复制正文 puts the body on the clipboard as rich HTML (inline styles, images as data URIs, which
// the editor uploads) with a plain-text fallback; 复制标题 and 复制摘要 copy plain text.
(function () {
  if (window.publisherWechatCopy) return;
  window.publisherWechatCopy = true;

  function read(box, name) {
    var template = box.querySelector("template[data-copy-" + name + "]");
    return template ? template.innerHTML : "";
  }

  function plain(box, name) {
    var text = document.createElement("textarea");
    text.innerHTML = read(box, name);  // entities back to characters; a textarea runs nothing
    return text.value;
  }

  // Through the browser's own copy command: works where the Clipboard API is refused.
  function copyCommand(html, text) {
    var done = false;
    function onCopy(event) {
      if (html) event.clipboardData.setData("text/html", html);
      event.clipboardData.setData("text/plain", text);
      event.preventDefault();
      done = true;
    }
    document.addEventListener("copy", onCopy);
    try {
      document.execCommand("copy");
    } finally {
      document.removeEventListener("copy", onCopy);
    }
    return done ? Promise.resolve() : Promise.reject(new Error("copy command refused"));
  }

  function copy(html, text) {
    if (!navigator.clipboard || !window.ClipboardItem) return copyCommand(html, text);
    var parts = {"text/plain": new Blob([text], {type: "text/plain"})};
    if (html) parts["text/html"] = new Blob([html], {type: "text/html"});
    return navigator.clipboard.write([new ClipboardItem(parts)]).catch(function () {
      return copyCommand(html, text);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".wechat-copy [data-copy]");
    if (!button) return;
    var box = button.closest(".wechat-copy");
    var what = button.getAttribute("data-copy");
    var status = box.querySelector("[role=status]");
    var html = what === "body" ? read(box, "body") : "";
    var text = what === "body" ? plain(box, "text") : plain(box, what);
    copy(html, text).then(function () {
      status.textContent = "已复制" + button.textContent.replace("复制", "") + "，可粘贴到公众号编辑器";
      status.className = "muted";
    }, function () {
      status.textContent = "复制失败：浏览器不允许写入剪贴板。请打开文章页，全选后复制";
      status.className = "error";
    });
  });
})();
