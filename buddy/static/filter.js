// Filter a long list of checkboxes by what is typed into <input data-filter="list-id">.
document.querySelectorAll("input[data-filter]").forEach(function (input) {
  var list = document.getElementById(input.dataset.filter);
  if (!list) return;
  input.addEventListener("input", function () {
    var needle = input.value.trim().toLocaleLowerCase();
    list.querySelectorAll("li").forEach(function (item) {
      var checked = item.querySelector("input").checked;
      var match = item.textContent.toLocaleLowerCase().indexOf(needle) !== -1;
      item.hidden = needle !== "" && !match && !checked;
    });
  });
});
