export function LoadingNotice({ children }: { children: string }) {
  return (
    <p role="status" className="notice notice--loading">
      {children}
    </p>
  );
}
