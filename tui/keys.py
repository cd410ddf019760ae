"""The chat's keys, written once: `CHAT_BINDINGS`, which the footer, the help and the palette read.

A binding's tooltip says what it does (the footer also shows it on hover). Bindings sharing a
`Binding.Group` make one entry, the group's description (`n / p`, `1 … 9`); a binding shown in
the footer is documented by its description. Any other binding is one more key for an action
already documented (`i` beside F2), or stays out of the help (Alt+1 … Alt+9, which the digits'
entry names).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.binding import Binding

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.binding import BindingType

CITATION = Binding.Group("Open source [n] (outside the prompt; Alt+1 … Alt+9 anywhere)")
NEXT_PREVIOUS = Binding.Group("Next / previous source")

CHAT_BINDINGS: list[BindingType] = [
    Binding(
        "escape",
        "stop",
        "Stop",
        tooltip="Stop the answer being written; otherwise leave / return to the prompt",
    ),
    Binding("ctrl+n", "new_conversation", "New chat", tooltip="New conversation"),
    Binding("f1", "help", "Help", tooltip="This help"),
    Binding(
        "f2",
        "inspect",
        "Inspector",
        tooltip="Inspector: rewritten question, ranks and scores, the exact prompt",
    ),
    Binding(
        "f3", "conversations", "History", tooltip="Saved conversations: search, reopen, export"
    ),
    Binding(
        "o",
        "open_file",
        "Open file",
        tooltip="Open the document in $EDITOR / $PAGER, at the quote",
    ),
    Binding("y", "copy_quote", "Copy quote", tooltip="Copy the highlighted quote"),
    Binding(
        "ctrl+f",
        "figures",
        "Figures",
        show=False,
        tooltip="Every figure of the corpus as a sortable table; Enter opens its quote",
    ),
    Binding(
        "ctrl+t",
        "timeline",
        "Timeline",
        show=False,
        tooltip="The corpus's dated events in order; Enter opens the quote",
    ),
    Binding(
        "f4",
        "filter",
        "Filter by date or source",
        show=False,
        tooltip="Only documents of a date window or a path glob (shown in the status line)",
    ),
    Binding("f5", "clear_filter", "Clear the filter", show=False, tooltip="Search every document"),
    Binding(
        "f6",
        "drop_date_filter",
        "Drop the question's date filter",
        show=False,
        tooltip="Ask the last question again without the window its date phrase set",
    ),
    Binding("i", "inspect", "Inspector", show=False),
    Binding("h", "conversations", "History", show=False),
    Binding(
        "s",
        "save_eval",
        "Save as eval case",
        show=False,
        tooltip="Save the last answer as an eval case",
    ),
    Binding(
        "x",
        "export",
        "Export to Markdown",
        show=False,
        tooltip="Export the conversation to Markdown",
    ),
    Binding(
        "n",
        "next_citation",
        "Next citation",
        show=False,
        tooltip="Open the next passage",
        group=NEXT_PREVIOUS,
    ),
    Binding(
        "p",
        "previous_citation",
        "Previous citation",
        show=False,
        tooltip="Open the previous passage",
        group=NEXT_PREVIOUS,
    ),
    Binding("slash", "focus_prompt", "Ask", show=False, tooltip="Back to the prompt"),
    *(
        Binding(str(n), f"select_citation({n})", f"Citation [{n}]", show=False, group=CITATION)
        for n in range(1, 10)
    ),
    # Alt+digit opens a citation even while typing in the prompt.
    *(
        Binding(f"alt+{n}", f"select_citation({n})", f"Citation [{n}]", show=False, priority=True)
        for n in range(1, 10)
    ),
]
"""The chat screen's keys; each documented one says what it does in its tooltip or group."""

SORT = Binding.Group("Sort by column 1 … 5 (again: reverse; or click its header)")

FACTS_BINDINGS: list[BindingType] = [
    Binding("escape", "back", "Chat", tooltip="Back to the chat"),
    Binding("ctrl+f", "show_tab('figures')", "Figures", tooltip="The figures tab"),
    Binding("ctrl+t", "show_tab('timeline')", "Timeline", tooltip="The timeline tab"),
    Binding("slash", "focus_filter", "Filter", tooltip="Back to the filter box"),
    *(
        Binding(str(n), f"sort({n})", f"Sort by column {n}", show=False, group=SORT)
        for n in range(1, 6)
    ),
]
"""The figures and timeline screen's keys (Enter on a row opens its quote: the table's own)."""

_KEY_NAMES = {"escape": "Esc", "slash": "/", "enter": "Enter", "tab": "Tab"}


def key_label(key: str) -> str:
    """How the help writes a Textual key name: `ctrl+n` is Ctrl+N, `escape` is Esc, `f2` is F2."""
    *modifiers, name = key.split("+")
    if name in _KEY_NAMES:
        name = _KEY_NAMES[name]
    elif modifiers or len(name) > 1:
        name = name.upper()
    return "+".join([*(m.capitalize() for m in modifiers), name])


def action_name(action: str) -> str:
    """The action without its arguments: `select_citation(3)` is `select_citation`."""
    return action.partition("(")[0]


@dataclass(frozen=True, slots=True)
class KeyHelp:
    """One documented command: its keys, its short title and what it does."""

    action: str
    """The first binding's action, arguments included."""
    title: str
    """The first binding's description (the footer's word for it)."""
    text: str
    """What it does: the tooltip, or the group's description."""
    keys: tuple[str, ...]
    """The keys, as the help writes them."""
    grouped: bool = False
    """Several actions (or one with arguments) on one line: `n / p`, `1 … 9`."""

    @property
    def name(self) -> str:
        """The action without its arguments."""
        return action_name(self.action)

    @property
    def key_text(self) -> str:
        """The keys for the help's first column: `F2 or i`, `n / p`, `1 … 9`."""
        if not self.grouped:
            return " or ".join(self.keys)
        if len(self.keys) > 2:  # a run of keys reads as its ends
            return f"{self.keys[0]} … {self.keys[-1]}"
        return " / ".join(self.keys)


def _text(binding: Binding) -> str:
    if binding.tooltip:
        return binding.tooltip
    return binding.group.description if binding.group is not None else binding.description


def help_entries(bindings: Iterable[BindingType]) -> list[KeyHelp]:
    """The help's lines: one per group or documented action, in the order of `bindings`."""
    entries: dict[str, KeyHelp] = {}
    for binding in Binding.make_bindings(bindings):
        if binding.group is not None:
            slot, grouped = "group:" + binding.group.description, True
        else:
            slot, grouped = action_name(binding.action), False
        known = entries.get(slot)
        if known is not None:
            keys = (*known.keys, key_label(binding.key))
            entries[slot] = KeyHelp(known.action, known.title, known.text, keys, grouped)
        elif grouped or binding.tooltip or binding.show:
            entries[slot] = KeyHelp(
                binding.action,
                binding.description,
                binding.group.description if binding.group is not None else _text(binding),
                (key_label(binding.key),),
                grouped,
            )
    return list(entries.values())


def palette_entries(bindings: Iterable[BindingType]) -> list[KeyHelp]:
    """The palette's commands: one per action that takes no argument, with all its keys."""
    entries: dict[str, KeyHelp] = {}
    for binding in Binding.make_bindings(bindings):
        if "(" in binding.action:
            continue  # the palette cannot ask for the argument
        known = entries.get(binding.action)
        if known is None:
            entries[binding.action] = KeyHelp(
                binding.action, binding.description, _text(binding), (key_label(binding.key),)
            )
        else:
            keys = (*known.keys, key_label(binding.key))
            entries[binding.action] = KeyHelp(known.action, known.title, known.text, keys)
    return list(entries.values())
