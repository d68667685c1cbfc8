import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import { navigate } from '@/lib/navigation';

export type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string; replace?: boolean };

/** A real <a href> (so open-in-new-tab works) that navigates in-app on a plain click. */
export function Link({ href, replace, onClick, ...rest }: LinkProps) {
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey ||
      (rest.target && rest.target !== '_self')
    ) {
      return;
    }
    event.preventDefault();
    navigate(href, { replace: replace ?? false });
  };
  return <a href={href} onClick={handleClick} {...rest} />;
}
