import { Component } from 'react';
import type { ReactNode } from 'react';

type State = { error: Error | null };

/** A render bug shows a message and a way back instead of a blank window. */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div role="alert" className="notice notice--error crash">
        <p className="notice__title">Something in this page broke.</p>
        <p>{error.message}</p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
