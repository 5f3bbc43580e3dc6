import type { Strings } from './en.js';

/**
 * French (formal "vous"). French typography: a no-break space (U+00A0) sits before
 * ":", ";" and the "s" unit, and inside « guillemets ».
 */
export const fr: Strings = {
  heading: 'Discussion',
  placeholder: 'Saisissez un message…',
  send: 'Envoyer',
  openChat: 'Ouvrir la discussion',
  closeChat: 'Fermer la discussion',
  talkToHuman: 'Parler à un humain',
  escalationReason: 'Le visiteur a demandé à parler à un humain.',
  inputLabel: 'Message',
  messagesLabel: 'Conversation',
  newMessages: 'Nouveaux messages',
  typing: 'L’assistant écrit…',
  personTyping: '{name} écrit…',
  you: 'Vous',
  assistant: 'Assistant',
  copy: 'Copier le code',
  copied: 'Copié',
  dismiss: 'Fermer',
  retry: 'Réessayer',
  statusConnecting: 'Connexion en cours…',
  statusConnected: 'Connecté',
  statusReconnecting: 'Reconnexion en cours…',
  statusReconnectingIn: 'Reconnexion dans {seconds} s',
  statusOffline: 'Hors ligne',
  statusError: 'Erreur',
  online: '{count} en ligne',
  stateSending: 'Envoi en cours…',
  stateFailed: 'Non envoyé',
  noteInterrupted: 'Cette réponse a été interrompue.',
  noteEdited: 'modifié',
  noteDeleted: 'Ce message a été supprimé.',
  noteTruncated: 'Cette réponse était trop longue et a été raccourcie.',
  tooLong:
    'Votre message compte {length} caractères ; la limite est de {max}. Raccourcissez-le pour l’envoyer.',
  rateLimited:
    'Vous envoyez des messages rapidement ; ils sont mis en file d’attente et partiront dans un instant.',
  offlineQueued:
    'Vous êtes hors ligne. Les messages envoyés maintenant partiront dès le retour de la connexion.',
  errorNoServer: 'La discussion n’est pas configurée : l’attribut server est manquant.',
  errorBadServer: 'La discussion n’est pas configurée : « {server} » n’est pas une URL WebSocket.',
  errorProtocol: 'La discussion n’est pas configurée : protocole « {protocol} » inconnu.',
  errorToken: 'Impossible de se connecter à la discussion : {reason}',
  errorRefused:
    'Le serveur de discussion a refusé la connexion (il est peut-être indisponible, ou le jeton de connexion a été rejeté).',
  errorAuth: 'Le serveur de discussion a refusé l’authentification : {reason}',
  errorServer: '{reason}',
  errorClosed: 'La connexion à la discussion a été fermée : {reason}',
  openChatUnread: 'Ouvrir le chat, {count} non lus',
  agent: 'Agent du support',
  handoffQueued: 'En attente d’une personne…',
  handoffQueuedPosition: 'En attente d’une personne. Vous êtes numéro {position} dans la file.',
  personJoined: '{name} a rejoint la discussion.',
  personLeft: '{name} a quitté la discussion.',
  handoffAssigned: '{name} a rejoint la discussion.',
  handoffEnded: '{name} a quitté la discussion. L’assistant reprend.',
  handoffEndedNoName: 'La personne a quitté la discussion. L’assistant reprend.',
  handoffUnavailable:
    'Personne n’est disponible pour le moment. L’assistant continue de répondre et vous pouvez laisser un message à notre équipe.',
  handoffOutsideHours:
    'Nous sommes en dehors de nos heures d’ouverture. L’assistant continue de répondre et vous pouvez laisser un message à notre équipe.',
  leaveMessage: 'Laisser un message',
  leaveEmail: 'Votre e-mail',
  leaveText: 'Votre message',
  leaveSend: 'Envoyer à l’équipe',
  leaveInvalid: 'Indiquez une adresse e-mail valide et un message.',
  leftMessage: 'Merci\xa0! Notre équipe vous répondra par e-mail.',
};
