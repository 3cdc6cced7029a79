import { create } from 'zustand';
import { MAX_PROMPT_CHARS } from '../../../preload/contract';
import type { ApiErrorShape, ComposeResult, EnvironmentSpec } from '../../../preload/contract';
import { api } from '../bridge/api';
import { useComposeDraftStore } from './compose-draft-store';
import { wordsKey } from './compose-fields';
import type { FieldId, FieldValues } from './compose-fields';
import {
  NOT_WALKING,
  browserStorage,
  loadHistory,
  saveHistory,
  stepHistory,
  withEntry,
} from './compose-history';
import type { HistoryWalk } from './compose-history';
import { keepEdits } from './compose-spec';
import type { Edits } from './compose-spec';
import { errorShape } from './load-status';

/** A recipe file that was opened: its environments are what Compose shows and launches. */
export type OpenedRecipe = { fileName: string; specs: EnvironmentSpec[] };

type ComposeStore = {
  /** The text in the prompt box. */
  prompt: string;
  /** The composer's answer to the latest prompt asked (a spec, or an error saying why not). */
  result: ComposeResult | null;
  composing: boolean;
  /** The compose call itself failed (not connected, ...), as opposed to a prompt it cannot use. */
  callError: ApiErrorShape | null;
  /** While set, the spec comes from this recipe instead of the prompt. */
  recipe: OpenedRecipe | null;
  recipeError: { fileName: string; error: ApiErrorShape } | null;
  edits: Edits;
  history: string[];
  walk: HistoryWalk;

  /** The user typed: the text is the new prompt and any walk through the history ends. */
  typed(text: string): void;
  /**
   * Asks the composer about the prompt. Without `explicit` (as-you-type) an empty prompt clears
   * the spec instead of asking; with it (Enter) the composer's "the prompt is empty" shows.
   */
  compose(options?: { explicit?: boolean }): Promise<void>;
  /** Up (-1) or Down (+1) through earlier prompts; false when there is nowhere to go. */
  recall(direction: -1 | 1): boolean;
  remember(prompt: string): void;
  edit<K extends FieldId>(id: K, value: FieldValues[K]): void;
  reset(id: FieldId): void;
  resetAll(): void;
  openRecipe(fileName: string, text: string): Promise<boolean>;
  /** A file the user picked or dropped: read (when not too big) and opened as a recipe. */
  openRecipeFile(file: Blob & { name: string }): Promise<boolean>;
  recipeFailed(fileName: string, error: ApiErrorShape): void;
  /** Back to composing: the prompt (the recipe's, unless changed) is composed again. */
  closeRecipe(): void;
  dismissRecipeError(): void;
};

/** The largest recipe the server reads (readRecipe's text limit). */
const MAX_RECIPE_BYTES = 1024 * 1024;

/**
 * What the composer is asked. Starting from a library image, the environment is a VM whatever
 * the prompt says, and the prompt need only describe the rest ("4 GB, forward 2222 to 22"),
 * which alone would not name anything to build: it is read as a VM's description.
 */
function asked(prompt: string, fromImage: boolean): string {
  if (!fromImage) return prompt;
  return `vm, ${prompt.trim()}`.slice(0, MAX_PROMPT_CHARS);
}

// Each compose gets a number; an answer that is not the newest one's is dropped.
let latest = 0;

export const useComposeStore = create<ComposeStore>((set, get) => ({
  prompt: '',
  result: null,
  composing: false,
  callError: null,
  recipe: null,
  recipeError: null,
  edits: {},
  history: loadHistory(browserStorage()),
  walk: NOT_WALKING,

  typed(text) {
    set({ prompt: text, walk: NOT_WALKING });
  },

  async compose({ explicit = false } = {}) {
    const seq = ++latest;
    const { prompt } = get();
    const fromImage = useComposeDraftStore.getState().fromImage;
    const empty = prompt.trim() === '';
    if (empty && !explicit && !fromImage) {
      set({ result: null, composing: false, callError: null });
      return;
    }
    set({ composing: true });
    try {
      const result = await api.call('compose', { prompt: asked(prompt, fromImage !== null) });
      if (seq !== latest) return;
      const edits = 'spec' in result ? keepEdits(get().edits, result.explanation) : get().edits;
      set({ result, edits, composing: false, callError: null, recipe: null, recipeError: null });
    } catch (err) {
      if (seq !== latest) return;
      set({ composing: false, callError: errorShape(err) });
    }
  },

  recall(direction) {
    const step = stepHistory(get().history, get().walk, get().prompt, direction);
    if (!step) return false;
    set({ prompt: step.text, walk: step.walk });
    return true;
  },

  remember(prompt) {
    const history = withEntry(get().history, prompt);
    saveHistory(browserStorage(), history);
    set({ history, walk: NOT_WALKING });
  },

  edit(id, value) {
    const { recipe, result } = get();
    const explanation = !recipe && result && 'spec' in result ? result.explanation : null;
    set({ edits: { ...get().edits, [id]: { value, wordsKey: wordsKey(explanation, id) } } });
  },

  reset(id) {
    const edits = { ...get().edits };
    delete edits[id];
    set({ edits });
  },

  resetAll() {
    set({ edits: {} });
  },

  async openRecipe(fileName, text) {
    try {
      const recipe = await api.call('readRecipe', { fileName, text });
      latest += 1; // a compose still on its way must not replace the recipe
      useComposeDraftStore.getState().clear();
      set({
        prompt: recipe.prompt ?? '',
        walk: NOT_WALKING,
        recipe: { fileName, specs: recipe.environments },
        result: null,
        composing: false,
        callError: null,
        edits: {},
        recipeError: null,
      });
      return true;
    } catch (err) {
      get().recipeFailed(fileName, errorShape(err));
      return false;
    }
  },

  async openRecipeFile(file) {
    if (file.size > MAX_RECIPE_BYTES) {
      get().recipeFailed(file.name, {
        code: 'BAD_ARGS',
        message: `${file.name} is ${Math.ceil(file.size / 1024)} KiB: a recipe is at most 1024 KiB.`,
      });
      return false;
    }
    return get().openRecipe(file.name, await file.text());
  },

  recipeFailed(fileName, error) {
    set({ recipeError: { fileName, error } });
  },

  closeRecipe() {
    set({ recipe: null, edits: {} });
    void get().compose();
  },

  dismissRecipeError() {
    set({ recipeError: null });
  },
}));
