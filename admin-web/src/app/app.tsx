import { RouterProvider } from '@tanstack/react-router';
import { Toaster } from '@/components/ui/toaster';
import { AppProvider } from './provider';
import { createAppRouter } from './router';

const router = createAppRouter();

export function App() {
  return (
    <AppProvider>
      <RouterProvider router={router} />
      <Toaster />
    </AppProvider>
  );
}
