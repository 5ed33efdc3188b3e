import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeTextArea,
} from "@vscode/webview-ui-toolkit";

/**
 * The only module that knows the UI toolkit (@vscode/webview-ui-toolkit). The rest of the view asks
 * it for a button, a text area, a dropdown or a progress ring and gets plain elements and handles,
 * so the toolkit can be replaced here alone.
 */

export function registerToolkit(): void {
  provideVSCodeDesignSystem().register(
    vsCodeButton(),
    vsCodeTextArea(),
    vsCodeDropdown(),
    vsCodeOption(),
    vsCodeProgressRing(),
  );
}

export interface ButtonOptions {
  label: string;
  ariaLabel: string;
  testId: string;
  appearance?: "primary" | "secondary";
  title?: string;
  onClick: () => void;
}

export function button(options: ButtonOptions): HTMLElement {
  const node = document.createElement("vscode-button");
  node.setAttribute("appearance", options.appearance ?? "primary");
  node.setAttribute("aria-label", options.ariaLabel);
  node.setAttribute("title", options.title ?? options.ariaLabel);
  node.dataset.testid = options.testId;
  node.textContent = options.label;
  node.addEventListener("click", () => {
    if (!node.hasAttribute("disabled")) options.onClick();
  });
  return node;
}

export function setDisabled(node: HTMLElement, disabled: boolean): void {
  node.toggleAttribute("disabled", disabled);
}

export interface TextArea {
  readonly element: HTMLElement;
  value: string;
  focus(): void;
}

export interface TextAreaOptions {
  ariaLabel: string;
  placeholder: string;
  testId: string;
  value: string;
  rows: number;
  onInput: (value: string) => void;
  onKeyDown: (event: KeyboardEvent) => void;
}

interface ValueElement extends HTMLElement {
  value: string;
}

export function textArea(options: TextAreaOptions): TextArea {
  const node = document.createElement("vscode-text-area") as ValueElement;
  node.setAttribute("aria-label", options.ariaLabel);
  node.setAttribute("placeholder", options.placeholder);
  node.setAttribute("rows", String(options.rows));
  node.setAttribute("resize", "vertical");
  node.dataset.testid = options.testId;
  node.value = options.value;
  // The inner textarea's events are composed: they reach the host after it updated its value.
  node.addEventListener("input", () => options.onInput(node.value));
  node.addEventListener("keydown", (event) => options.onKeyDown(event));
  return {
    element: node,
    get value() {
      return node.value;
    },
    set value(value: string) {
      node.value = value;
    },
    focus() {
      node.focus();
    },
  };
}

export interface Choice<T extends string> {
  value: T;
  label: string;
  testId: string;
}

export interface Dropdown<T extends string> {
  readonly element: HTMLElement;
  value: T;
}

export function dropdown<T extends string>(options: {
  ariaLabel: string;
  testId: string;
  choices: Choice<T>[];
  value: T;
  onChange: (value: T) => void;
}): Dropdown<T> {
  const node = document.createElement("vscode-dropdown") as ValueElement;
  node.setAttribute("aria-label", options.ariaLabel);
  node.setAttribute("title", options.ariaLabel);
  node.dataset.testid = options.testId;
  for (const choice of options.choices) {
    const option = document.createElement("vscode-option") as ValueElement;
    option.setAttribute("value", choice.value);
    option.dataset.testid = choice.testId;
    option.textContent = choice.label;
    if (choice.value === options.value) option.setAttribute("selected", "");
    node.append(option);
  }
  const known = (value: string): value is T => options.choices.some((choice) => choice.value === value);
  node.addEventListener("change", () => {
    if (known(node.value)) options.onChange(node.value);
  });
  return {
    element: node,
    get value() {
      return known(node.value) ? node.value : options.value;
    },
    set value(value: T) {
      node.value = value;
    },
  };
}

export function progressRing(ariaLabel: string): HTMLElement {
  const node = document.createElement("vscode-progress-ring");
  node.setAttribute("aria-label", ariaLabel);
  return node;
}
