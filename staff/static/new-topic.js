// The new topic form (staff/templates/new_topic.html): while the title is typed, the topic name
// field shows (as its placeholder) the name the console makes from the title when the field is
// left empty, as staff/new_topics.py name_from_title makes it. No inline script: the CSP allows
// only the console's own files.
(function () {
  "use strict";
  var title = document.getElementById("title");
  var name = document.getElementById("name");
  if (!title || !name) { return; }

  function fromTitle(text) {
    var plain = text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    var words = plain.match(/[a-z0-9]+/g) || [];
    var made = "ask";
    for (var i = 0; i < words.length; i++) {
      if (made.length + 1 + words[i].length > 45) { break; }
      made += "_" + words[i];
    }
    return made === "ask" ? "" : made;
  }

  title.addEventListener("input", function () { name.placeholder = fromTitle(title.value); });
}());
