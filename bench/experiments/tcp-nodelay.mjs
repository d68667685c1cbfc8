// Experiment only (`npm run bench -- --experiment tcp-nodelay`): every TCP socket the service opens
// disables Nagle's algorithm, to measure what `socket.setNoDelay(true)` in the STOMP session would do.
import net from 'node:net';

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  this.setNoDelay(true);
  return connect.apply(this, args);
};
